/// API-server validation of NetworkPolicy objects (`networking.k8s.io/v1`, `ValidateNetworkPolicy`).
public enum NetworkPolicyValidation {
    /// The protocols a NetworkPolicy port may name, in the API server's order.
    public static let protocols = ["TCP", "UDP", "SCTP"]
    /// The values of `spec.policyTypes`.
    public static let policyTypes = ["Ingress", "Egress"]
    /// The API server's detail for an unparsable CIDR.
    static let cidrMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"

    /// Validates a NetworkPolicy; returns every problem with its field path.
    public static func validate(_ policy: NetworkPolicy) -> [FieldError] {
        ObjectValidation.metadata(policy.metadata, namespaced: true) + spec(policy.spec ?? NetworkPolicySpec(), at: FieldPath("spec"))
    }

    /// Validates a spec: the pod selector, every rule's ports and peers, then `policyTypes`.
    public static func spec(_ spec: NetworkPolicySpec, at path: FieldPath) -> [FieldError] {
        var errors = LabelValidation.selector(spec.podSelector, at: path.child("podSelector"))
        for (index, rule) in (spec.ingress ?? []).enumerated() {
            let rulePath = path.child("ingress").index(index)
            for (portIndex, entry) in (rule.ports ?? []).enumerated() {
                errors += port(entry, at: rulePath.child("ports").index(portIndex))
            }
            for (peerIndex, entry) in (rule.from ?? []).enumerated() {
                errors += peer(entry, at: rulePath.child("from").index(peerIndex))
            }
        }
        for (index, rule) in (spec.egress ?? []).enumerated() {
            let rulePath = path.child("egress").index(index)
            for (portIndex, entry) in (rule.ports ?? []).enumerated() {
                errors += port(entry, at: rulePath.child("ports").index(portIndex))
            }
            for (peerIndex, entry) in (rule.to ?? []).enumerated() {
                errors += peer(entry, at: rulePath.child("to").index(peerIndex))
            }
        }
        let types = spec.policyTypes ?? []
        let typesPath = path.child("policyTypes")
        if types.count > policyTypes.count {
            errors.append(.invalid(typesPath.description, types.joined(separator: ", "), "may not specify more than two policyTypes"))
            return errors
        }
        for (index, type) in types.enumerated() where !policyTypes.contains(type) {
            errors.append(.notSupported(typesPath.index(index).description, type, policyTypes))
        }
        return errors
    }

    /// Validates a port: the protocol, the number or IANA name, and `endPort` (numeric `port` required, not below it).
    public static func port(_ port: NetworkPolicyPort, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if let value = port.protocol, !protocols.contains(value) {
            errors.append(.notSupported(path.child("protocol").description, value, protocols))
        }
        let endPath = path.child("endPort").description
        switch port.port {
        case .int(let number):
            errors += NameValidation.portNumber(number).map { .invalid(path.child("port").description, String(number), $0) }
            if let end = port.endPort {
                if end < number { errors.append(.invalid(endPath, String(number), "must be greater than or equal to `port`")) }
                errors += NameValidation.portNumber(end).map { .invalid(endPath, String(end), $0) }
            }
        case .string(let name):
            if let end = port.endPort {
                errors.append(.invalid(endPath, String(end), "may not be specified when `port` is non-numeric"))
            }
            errors += NameValidation.portName(name).map { .invalid(path.child("port").description, name, $0) }
        case nil:
            if let end = port.endPort {
                errors.append(.invalid(endPath, String(end), "may not be specified when `port` is not specified"))
            }
        }
        return errors
    }

    /// Validates a peer: at least one of the three fields, `ipBlock` alone, and each field's own syntax.
    public static func peer(_ peer: NetworkPolicyPeer, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var count = 0
        if let selector = peer.podSelector {
            count += 1
            errors += LabelValidation.selector(selector, at: path.child("podSelector"))
        }
        if let selector = peer.namespaceSelector {
            count += 1
            errors += LabelValidation.selector(selector, at: path.child("namespaceSelector"))
        }
        if let block = peer.ipBlock {
            count += 1
            errors += ipBlock(block, at: path.child("ipBlock"))
        }
        if count == 0 {
            errors.append(.required(path.description, "must specify a peer"))
        } else if count > 1 && peer.ipBlock != nil {
            errors.append(.forbidden(path.description, "may not specify both ipBlock and another peer"))
        }
        return errors
    }

    /// Validates an IP block: `cidr` required and valid; each `except` valid and a strict subset of `cidr`.
    public static func ipBlock(_ block: IPBlock, at path: FieldPath) -> [FieldError] {
        let cidrPath = path.child("cidr").description
        guard let text = block.cidr, !text.isEmpty else { return [.required(cidrPath)] }
        guard let cidr = CIDR(text) else { return [.invalid(cidrPath, text, cidrMessage)] }
        var errors: [FieldError] = []
        for (index, exceptText) in (block.except ?? []).enumerated() {
            let exceptPath = path.child("except").index(index).description
            guard let except = CIDR(exceptText) else {
                errors.append(.invalid(exceptPath, exceptText, cidrMessage))
                continue
            }
            if !cidr.contains(except.address) || except.prefixLength <= cidr.prefixLength {
                errors.append(.invalid(exceptPath, exceptText, "must be a strict subset of `cidr`"))
            }
        }
        return errors
    }
}
