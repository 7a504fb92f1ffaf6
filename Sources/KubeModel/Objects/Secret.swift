import Foundation

/// Core v1 Secret (Gatehouse reads `kubernetes.io/tls` Secrets: `tls.crt` and `tls.key`).
public struct Secret: Codable, Hashable, Sendable {
    /// Object metadata.
    public var metadata: ObjectMeta
    /// The Secret type, e.g. `kubernetes.io/tls`.
    public var type: String?
    /// Base64-encoded values.
    public var data: [String: String]?
    /// Plain values (write-only in the API; merged over `data`).
    public var stringData: [String: String]?

    /// Creates a Secret.
    public init(
        metadata: ObjectMeta,
        type: String? = nil,
        data: [String: String]? = nil,
        stringData: [String: String]? = nil
    ) {
        self.metadata = metadata
        self.type = type
        self.data = data
        self.stringData = stringData
    }

    /// The decoded bytes of one key: `stringData` wins over `data`; nil when absent or not valid base64.
    public func value(_ key: String) -> [UInt8]? {
        if let plain = stringData?[key] { return Array(plain.utf8) }
        guard let encoded = data?[key] else { return nil }
        let compact = encoded.filter { !$0.isWhitespace }
        return Data(base64Encoded: compact).map { Array($0) }
    }
}
