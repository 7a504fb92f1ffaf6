/// The trace of one request through Gatehouse, step by step as the tutorial draws it: (1) how the name reaches the
/// controller, (2) the controller and IngressClass that own the request, (3) the Ingress rule that matched and the
/// rules that lost, (4) the Service and port, (5) the endpoints with their readiness, the next round-robin pick and
/// NetworkPolicy; plus the TLS certificate, redirect, rewrite and the outcome. Built by ``Explainer``; plain data,
/// encodable as JSON (`gatehouse explain --output json`) and printable as text (``text``).
public struct Explanation: Hashable, Sendable, Codable {
    /// The request.
    public var request: ExplainRequest
    /// Step 1: how the name reaches the controller.
    public var entry: Entry
    /// Step 2: the controller and the IngressClass.
    public var controller: Controller
    /// Step 3: the rule that matched and those that lost.
    public var rule: Rule
    /// Step 4: the Service and port (nil when no route was taken).
    public var service: ServiceStep?
    /// Step 5: the endpoints (nil when no Service port resolved).
    public var endpoints: Endpoints?
    /// The certificate an HTTPS handshake for the host gets.
    public var tls: TLS
    /// The redirect answered instead of proxying, if any.
    public var redirect: Redirect?
    /// The path rewrite, if any.
    public var rewrite: Rewrite?
    /// What the client gets.
    public var outcome: Outcome

    /// Creates an explanation.
    public init(
        request: ExplainRequest, entry: Entry, controller: Controller, rule: Rule, service: ServiceStep?, endpoints: Endpoints?,
        tls: TLS, redirect: Redirect?, rewrite: Rewrite?, outcome: Outcome
    ) {
        self.request = request
        self.entry = entry
        self.controller = controller
        self.rule = rule
        self.service = service
        self.endpoints = endpoints
        self.tls = tls
        self.redirect = redirect
        self.rewrite = rewrite
        self.outcome = outcome
    }

    /// Step 1: the way from the client to the controller's listener.
    public struct Entry: Hashable, Sendable, Codable {
        /// `LoadBalancer`, `NodePort` or `listener` (standalone: straight to `gatehouse serve`).
        public var kind: String
        /// The controller's Service (`namespace/name`), when one is in the manifests.
        public var service: String?
        /// A LoadBalancer Service's external addresses (`status.loadBalancer.ingress[].ip` or `.hostname`); nil when
        /// there are none (another kind of entry, or no address assigned yet).
        public var addresses: [String]?
        /// The Service's ports, e.g. `443/TCP → 8443 (nodePort 30443)`.
        public var ports: [String]
        /// One sentence.
        public var summary: String

        /// Creates the step.
        public init(kind: String, service: String? = nil, addresses: [String]? = nil, ports: [String], summary: String) {
            self.kind = kind
            self.service = service
            self.addresses = addresses
            self.ports = ports
            self.summary = summary
        }
    }

    /// Step 2: who owns the request.
    public struct Controller: Hashable, Sendable, Codable {
        /// `--controller-class`.
        public var controllerClass: String
        /// The controller's Pods (namespace and labels), when known.
        public var identity: String?
        /// The Ingress whose rule was taken.
        public var ingress: String?
        /// The class that Ingress asks for.
        public var requestedClass: String?
        /// The IngressClass object of that name, when one exists.
        public var ingressClass: String?
        /// That IngressClass's `spec.controller`.
        public var ingressClassController: String?
        /// Whether this controller serves the Ingress (false when no Ingress was taken).
        public var served: Bool
        /// Why.
        public var reason: String

        /// Creates the step.
        public init(
            controllerClass: String, identity: String? = nil, ingress: String? = nil, requestedClass: String? = nil,
            ingressClass: String? = nil, ingressClassController: String? = nil, served: Bool, reason: String
        ) {
            self.controllerClass = controllerClass
            self.identity = identity
            self.ingress = ingress
            self.requestedClass = requestedClass
            self.ingressClass = ingressClass
            self.ingressClassController = ingressClassController
            self.served = served
            self.reason = reason
        }
    }

    /// Step 3: rule selection.
    public struct Rule: Hashable, Sendable, Codable {
        /// How the host selected its rules: `exact`, `wildcard`, `any` (rules without host) or `none`.
        public var hostMatch: String
        /// Whether the host is in regex mode (`use-regex` or `rewrite-target` on one of its Ingresses).
        public var regexMode: Bool
        /// `path`, `host default backend`, `default backend` or `none`.
        public var kind: String
        /// The rule taken.
        public var matched: RuleRef?
        /// The other rules that could concern this request, each with why it was not taken.
        public var lost: [LostRule]
        /// When no path matched: the rule that came closest.
        public var closest: Closest?

        /// Creates the step.
        public init(hostMatch: String, regexMode: Bool, kind: String, matched: RuleRef? = nil, lost: [LostRule], closest: Closest? = nil) {
            self.hostMatch = hostMatch
            self.regexMode = regexMode
            self.kind = kind
            self.matched = matched
            self.lost = lost
            self.closest = closest
        }
    }

    /// One Ingress path (or default backend).
    public struct RuleRef: Hashable, Sendable, Codable {
        /// `namespace/name` of the Ingress.
        public var ingress: String
        /// The field, e.g. `spec.rules[0].http.paths[1]`.
        public var field: String
        /// The rule's host as written (`*` for none).
        public var host: String
        /// The path as written.
        public var path: String
        /// The path type as written (`Default` for a default backend).
        public var pathType: String
        /// How the path was compared, e.g. `Prefix /users` or `Regex ^/users (case-insensitive)`.
        public var matchedAs: String

        /// Creates the step.
        public init(ingress: String, field: String, host: String, path: String, pathType: String, matchedAs: String) {
            self.ingress = ingress
            self.field = field
            self.host = host
            self.path = path
            self.pathType = pathType
            self.matchedAs = matchedAs
        }
    }

    /// A rule that was not taken.
    public struct LostRule: Hashable, Sendable, Codable {
        /// `namespace/name` of the Ingress.
        public var ingress: String
        /// The field.
        public var field: String
        /// The rule's host as written (`*` for none).
        public var host: String
        /// The path as written.
        public var path: String
        /// The path type.
        public var pathType: String
        /// Why it lost.
        public var reason: String

        /// Creates the step.
        public init(ingress: String, field: String, host: String, path: String, pathType: String, reason: String) {
            self.ingress = ingress
            self.field = field
            self.host = host
            self.path = path
            self.pathType = pathType
            self.reason = reason
        }
    }

    /// What came closest when nothing matched.
    public struct Closest: Hashable, Sendable, Codable {
        /// The Ingress of the closest path, when there is one.
        public var ingress: String?
        /// Its field.
        public var field: String?
        /// The closest host with rules.
        public var host: String
        /// The closest path of that host.
        public var path: String?
        /// What differs.
        public var reason: String

        /// Creates the step.
        public init(ingress: String? = nil, field: String? = nil, host: String, path: String? = nil, reason: String) {
            self.ingress = ingress
            self.field = field
            self.host = host
            self.path = path
            self.reason = reason
        }
    }

    /// Step 4: the Service port.
    public struct ServiceStep: Hashable, Sendable, Codable {
        /// The backend as the Ingress writes it, e.g. `service user-service, port 80`.
        public var backend: String
        /// The Service (`namespace/name`), when it exists.
        public var service: String?
        /// The Service type (`ClusterIP` when omitted).
        public var type: String?
        /// The Service port, e.g. `80/TCP (name http)`.
        public var port: String?
        /// Where the port leads on the Pods.
        public var targetPort: String?
        /// Why the backend is unusable, when it is.
        public var problem: String?

        /// Creates the step.
        public init(
            backend: String, service: String? = nil, type: String? = nil, port: String? = nil, targetPort: String? = nil,
            problem: String? = nil
        ) {
            self.backend = backend
            self.service = service
            self.type = type
            self.port = port
            self.targetPort = targetPort
            self.problem = problem
        }
    }

    /// Step 5: the endpoints.
    public struct Endpoints: Hashable, Sendable, Codable {
        /// `EndpointSlice`, `Pod` (selected Pods standing in for a missing EndpointSlice), `ExternalName` or `none`.
        public var source: String
        /// Ready endpoints.
        public var ready: Int
        /// All endpoints.
        public var total: Int
        /// The endpoint a freshly started controller sends the first request to (round-robin then walks in order).
        public var next: String?
        /// Every endpoint.
        public var items: [EndpointInfo]

        /// Creates the step.
        public init(source: String, ready: Int, total: Int, next: String? = nil, items: [EndpointInfo]) {
            self.source = source
            self.ready = ready
            self.total = total
            self.next = next
            self.items = items
        }
    }

    /// One endpoint.
    public struct EndpointInfo: Hashable, Sendable, Codable {
        /// `address:port`.
        public var address: String
        /// Whether it receives traffic.
        public var ready: Bool
        /// The Pod behind it (`namespace/name`), when known.
        public var pod: String?
        /// Whether round-robin picks it next.
        public var next: Bool
        /// Whether the controller's Pods may connect to it.
        public var networkPolicy: EndpointAccess?

        /// Creates the step.
        public init(address: String, ready: Bool, pod: String? = nil, next: Bool, networkPolicy: EndpointAccess? = nil) {
            self.address = address
            self.ready = ready
            self.pod = pod
            self.next = next
            self.networkPolicy = networkPolicy
        }
    }

    /// The certificate served for the host.
    public struct TLS: Hashable, Sendable, Codable {
        /// Whether the request uses TLS (an `https` URL).
        public var used: Bool
        /// The SNI name a client sends.
        public var serverName: String
        /// `exact`, `wildcard` or `default`.
        public var selection: String
        /// `Secret namespace/name`, or the default certificate.
        public var certificate: String
        /// The Ingress whose `spec.tls` entry supplies or names the certificate.
        public var ingress: String?
        /// That entry's field, e.g. `spec.tls[0]`.
        public var field: String?
        /// The DNS names the certificate covers, when inspected.
        public var names: [String]?
        /// When the certificate expires (RFC 3339), when inspected.
        public var notAfter: String?
        /// Why the host's own certificate is not served, when it is not.
        public var problem: String?

        /// Creates the step.
        public init(
            used: Bool, serverName: String, selection: String, certificate: String, ingress: String? = nil, field: String? = nil,
            names: [String]? = nil, notAfter: String? = nil, problem: String? = nil
        ) {
            self.used = used
            self.serverName = serverName
            self.selection = selection
            self.certificate = certificate
            self.ingress = ingress
            self.field = field
            self.names = names
            self.notAfter = notAfter
            self.problem = problem
        }
    }

    /// A redirect answered instead of proxying.
    public struct Redirect: Hashable, Sendable, Codable {
        /// The status, e.g. 308.
        public var status: Int
        /// The `Location`.
        public var location: String
        /// Why.
        public var reason: String

        /// Creates the step.
        public init(status: Int, location: String, reason: String) {
            self.status = status
            self.location = location
            self.reason = reason
        }
    }

    /// A path rewrite.
    public struct Rewrite: Hashable, Sendable, Codable {
        /// The `rewrite-target` annotation's value.
        public var rewriteTarget: String
        /// The target received.
        public var from: String
        /// The target sent to the Pod.
        public var to: String

        /// Creates the step.
        public init(rewriteTarget: String, from: String, to: String) {
            self.rewriteTarget = rewriteTarget
            self.from = from
            self.to = to
        }
    }

    /// What the client gets.
    public struct Outcome: Hashable, Sendable, Codable {
        /// `proxy`, `redirect` or `respond`.
        public var action: String
        /// The status Gatehouse answers itself (nil when the Pod answers).
        public var status: Int?
        /// One sentence.
        public var summary: String

        /// Creates the step.
        public init(action: String, status: Int? = nil, summary: String) {
            self.action = action
            self.status = status
            self.summary = summary
        }
    }
}
