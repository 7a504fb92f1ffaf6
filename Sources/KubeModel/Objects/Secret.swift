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
        // ASCII text (every valid encoding) drops its whitespace byte by byte; anything else takes the Character
        // path, which knows every Unicode space (and then fails to decode, as base64 is ASCII).
        let bytes = encoded.utf8
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            return Data(base64Encoded: encoded.filter { !$0.isWhitespace }).map { Array($0) }
        }
        let compact = Data(bytes.filter { !Self.isASCIIWhitespace($0) })
        return Data(base64Encoded: compact).map { Array($0) }
    }

    /// Whether an ASCII byte is whitespace as `Character.isWhitespace` sees it (space, tab, LF, VT, FF, CR).
    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
