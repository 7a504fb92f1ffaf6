import KubeModel
import Testing

/// The API server's Service and EndpointSlice validation as Gatehouse applies it at admission.
struct ServiceValidationTests {
    /// A valid Service: one unnamed port 80 → 8080.
    static func validService() -> Service {
        Service(
            metadata: ObjectMeta(name: "web", namespace: "shop"),
            spec: ServiceSpec(selector: ["app": "web"], ports: [ServicePort(port: 80, targetPort: .int(8080))])
        )
    }

    static let label = "a lowercase RFC 1123 label"
    static let portRange = "must be between 1 and 65535, inclusive"

    static let cases: [Mutation<Service>] = [
        Mutation("the base Service") { _ in },
        Mutation(
            "name is a DNS-1035 label", [ExpectedError("metadata.name", .invalid, "a DNS-1035 label")],
            { $0.metadata.name = "1web" }),
        Mutation(
            "dotted name", [ExpectedError("metadata.name", .invalid, "a DNS-1035 label")], { $0.metadata.name = "web.shop" }),
        Mutation("port 0", [ExpectedError("spec.ports[0].port", .invalid, portRange)], { $0.spec?.ports?[0].port = 0 }),
        Mutation("port 65536", [ExpectedError("spec.ports[0].port", .invalid, portRange)], { $0.spec?.ports?[0].port = 65536 }),
        Mutation("missing port", [ExpectedError("spec.ports[0].port", .required)], { $0.spec?.ports?[0].port = nil }),
        Mutation(
            "ExternalName without port numbers", [],
            {
                $0.spec?.type = "ExternalName"
                $0.spec?.externalName = "db.example.net"
                $0.spec?.ports?[0].port = nil
            }),
        Mutation(
            "several ports need names",
            [ExpectedError("spec.ports[0].name", .required), ExpectedError("spec.ports[1].name", .required)],
            { $0.spec?.ports?.append(ServicePort(port: 443)) }),
        Mutation(
            "named ports", [],
            {
                $0.spec?.ports?[0].name = "http"
                $0.spec?.ports?.append(ServicePort(name: "https", port: 443, targetPort: .string("tls")))
            }),
        Mutation(
            "duplicate port names", [ExpectedError("spec.ports[1].name", .duplicate, #""http""#)],
            {
                $0.spec?.ports?[0].name = "http"
                $0.spec?.ports?.append(ServicePort(name: "http", port: 443))
            }),
        Mutation("uppercase port name", [ExpectedError("spec.ports[0].name", .invalid, label)], { $0.spec?.ports?[0].name = "HTTP" }),
        Mutation(
            "targetPort out of range", [ExpectedError("spec.ports[0].targetPort", .invalid, portRange)],
            { $0.spec?.ports?[0].targetPort = .int(70000) }),
        Mutation(
            "targetPort name syntax",
            [ExpectedError("spec.ports[0].targetPort", .invalid, "must contain only alpha-numeric characters")],
            { $0.spec?.ports?[0].targetPort = .string("web_port") }),
        Mutation("targetPort by name", [], { $0.spec?.ports?[0].targetPort = .string("http-web") }),
        Mutation("no ports", [], { $0.spec?.ports = nil }),
    ]

    @Test("Service validation", arguments: cases)
    func service(_ mutation: Mutation<Service>) {
        var service = Self.validService()
        mutation.apply(&service)
        expectErrors(ObjectValidation.service(service), mutation.expected)
    }

    /// A valid IPv4 slice of the Service web.
    static func validSlice() -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: "web-abc", labels: [EndpointSlice.serviceNameLabel: "web"]),
            addressType: "IPv4",
            endpoints: [EndpointSlice.Endpoint(addresses: ["10.0.0.1"])],
            ports: [EndpointPort(port: 8080)]
        )
    }

    static let sliceCases: [Mutation<EndpointSlice>] = [
        Mutation("the base EndpointSlice") { _ in },
        Mutation("missing addressType", [ExpectedError("addressType", .required)], { $0.addressType = nil }),
        Mutation(
            "unsupported addressType", [ExpectedError("addressType", .unsupported, #""IPv5": supported values: "FQDN", "IPv4", "IPv6""#)],
            { $0.addressType = "IPv5" }),
        Mutation(
            "endpoint without addresses", [ExpectedError("endpoints[0].addresses", .required, "must contain at least 1 address")],
            { $0.endpoints = [EndpointSlice.Endpoint(addresses: [])] }),
        Mutation(
            "IPv6 address in an IPv4 slice",
            [ExpectedError("endpoints[1].addresses[0]", .invalid, "must be a valid IPv4 address")],
            { $0.endpoints?.append(EndpointSlice.Endpoint(addresses: ["fd00::1"])) }),
        Mutation(
            "IPv4 address in an IPv6 slice",
            [ExpectedError("endpoints[0].addresses[0]", .invalid, "must be a valid IPv6 address")],
            { $0.addressType = "IPv6" }),
        Mutation(
            "IPv6 slice", [],
            {
                $0.addressType = "IPv6"
                $0.endpoints = [EndpointSlice.Endpoint(addresses: ["fd00::1"])]
            }),
        Mutation(
            "FQDN slice", [],
            {
                $0.addressType = "FQDN"
                $0.endpoints = [EndpointSlice.Endpoint(addresses: ["db.example.net"])]
            }),
        Mutation(
            "invalid FQDN", [ExpectedError("endpoints[0].addresses[0]", .invalid, "a lowercase RFC 1123 subdomain")],
            {
                $0.addressType = "FQDN"
                $0.endpoints = [EndpointSlice.Endpoint(addresses: ["DB_host"])]
            }),
        Mutation(
            "port out of range", [ExpectedError("ports[0].port", .invalid, "must be between 1 and 65535, inclusive")],
            { $0.ports = [EndpointPort(port: 70000)] }),
        Mutation("no endpoints yet", [], { $0.endpoints = nil }),
    ]

    @Test("EndpointSlice validation", arguments: sliceCases)
    func endpointSlice(_ mutation: Mutation<EndpointSlice>) {
        var slice = Self.validSlice()
        mutation.apply(&slice)
        expectErrors(ObjectValidation.endpointSlice(slice), mutation.expected)
    }

    @Test("KubeObject.validate dispatches by kind")
    func dispatch() {
        var service = Self.validService()
        service.metadata.name = "Web"
        #expect(KubeObject.service(service).validate().map(\.field) == ["metadata.name"])
        #expect(KubeObject.service(Self.validService()).validate().isEmpty)
        var slice = Self.validSlice()
        slice.addressType = nil
        #expect(KubeObject.endpointSlice(slice).validate().map(\.field) == ["addressType"])
        let pod = Pod(metadata: ObjectMeta(name: "Pod_1"))
        #expect(KubeObject.pod(pod).validate().map(\.field) == ["metadata.name"])
        let namespace = Namespace(metadata: ObjectMeta(name: "shop", namespace: "ignored_for_cluster_scoped"))
        #expect(KubeObject.namespace(namespace).validate().isEmpty)
    }
}
