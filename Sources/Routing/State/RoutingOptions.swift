import KubeModel

/// Controller settings that change how objects become routes (the `serve` flags that matter to the pure core).
public struct RoutingOptions: Hashable, Sendable {
    /// The controller name IngressClasses must carry in `spec.controller` to be ours.
    public var controllerClass: String
    /// Class names served even without a matching IngressClass object (`--ingress-class`).
    public var ingressClasses: Set<String>
    /// Serve Ingresses that name no class at all (`--watch-ingress-without-class`).
    public var watchIngressWithoutClass: Bool
    /// Trust and append client-sent `X-Forwarded-*` headers (`--use-forwarded-headers`).
    public var useForwardedHeaders: Bool
    /// The Secret served when no TLS host matches (`--default-ssl-certificate NS/NAME`); nil = generated.
    public var defaultCertificate: ObjectRef?

    /// The default controller name.
    public static let defaultControllerClass = "gatehouse.dev/ingress-controller"

    /// Creates options; by default the controller serves the `gatehouse` class and IngressClasses naming it.
    public init(
        controllerClass: String = RoutingOptions.defaultControllerClass,
        ingressClasses: Set<String> = ["gatehouse"],
        watchIngressWithoutClass: Bool = false,
        useForwardedHeaders: Bool = false,
        defaultCertificate: ObjectRef? = nil
    ) {
        self.controllerClass = controllerClass
        self.ingressClasses = ingressClasses
        self.watchIngressWithoutClass = watchIngressWithoutClass
        self.useForwardedHeaders = useForwardedHeaders
        self.defaultCertificate = defaultCertificate
    }
}
