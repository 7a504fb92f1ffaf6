/// One decoded object of a kind Gatehouse reads. Indirect: the object lives in one box that every copy shares
/// (the decoder's document cache, the manifest store's files and admitted versions, the cluster state).
public indirect enum KubeObject: Hashable, Sendable {
    /// `networking.k8s.io/v1` Ingress.
    case ingress(Ingress)
    /// `networking.k8s.io/v1` IngressClass.
    case ingressClass(IngressClass)
    /// Core v1 Service.
    case service(Service)
    /// `discovery.k8s.io/v1` EndpointSlice.
    case endpointSlice(EndpointSlice)
    /// Core v1 Secret.
    case secret(Secret)
    /// Core v1 Namespace.
    case namespace(Namespace)
    /// Core v1 Pod.
    case pod(Pod)
    /// `networking.k8s.io/v1` NetworkPolicy.
    case networkPolicy(NetworkPolicy)
    /// `apps/v1` Deployment.
    case deployment(Deployment)

    /// The kind name, as written in manifests.
    public var kind: String {
        switch self {
        case .ingress: "Ingress"
        case .ingressClass: "IngressClass"
        case .service: "Service"
        case .endpointSlice: "EndpointSlice"
        case .secret: "Secret"
        case .namespace: "Namespace"
        case .pod: "Pod"
        case .networkPolicy: "NetworkPolicy"
        case .deployment: "Deployment"
        }
    }

    /// Whether objects of this kind live in a namespace.
    public var isNamespaced: Bool {
        switch self {
        case .ingressClass, .namespace: false
        default: true
        }
    }

    /// The object's metadata.
    public var metadata: ObjectMeta {
        get {
            switch self {
            case .ingress(let object): object.metadata
            case .ingressClass(let object): object.metadata
            case .service(let object): object.metadata
            case .endpointSlice(let object): object.metadata
            case .secret(let object): object.metadata
            case .namespace(let object): object.metadata
            case .pod(let object): object.metadata
            case .networkPolicy(let object): object.metadata
            case .deployment(let object): object.metadata
            }
        }
        set {
            switch self {
            case .ingress(var object): object.metadata = newValue; self = .ingress(object)
            case .ingressClass(var object): object.metadata = newValue; self = .ingressClass(object)
            case .service(var object): object.metadata = newValue; self = .service(object)
            case .endpointSlice(var object): object.metadata = newValue; self = .endpointSlice(object)
            case .secret(var object): object.metadata = newValue; self = .secret(object)
            case .namespace(var object): object.metadata = newValue; self = .namespace(object)
            case .pod(var object): object.metadata = newValue; self = .pod(object)
            case .networkPolicy(var object): object.metadata = newValue; self = .networkPolicy(object)
            case .deployment(var object): object.metadata = newValue; self = .deployment(object)
            }
        }
    }

    /// The object's identity; namespaced kinds get `default` when no namespace is written.
    public var ref: ObjectRef {
        ObjectRef(kind: kind, namespace: isNamespaced ? metadata.namespaceOrDefault : nil, name: metadata.nameOrEmpty)
    }

    /// API-server validation of this object (kinds without rules of ours validate their metadata only).
    public func validate() -> [FieldError] {
        switch self {
        case .ingress(let object): ObjectValidation.ingress(object)
        case .ingressClass(let object): ObjectValidation.ingressClass(object)
        case .service(let object): ObjectValidation.service(object)
        case .endpointSlice(let object): ObjectValidation.endpointSlice(object)
        case .networkPolicy(let object): NetworkPolicyValidation.validate(object)
        case .namespace(let object): ObjectValidation.metadata(object.metadata, namespaced: false)
        case .secret, .pod, .deployment: ObjectValidation.metadata(metadata, namespaced: true)
        }
    }
}
