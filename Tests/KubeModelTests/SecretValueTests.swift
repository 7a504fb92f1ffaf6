import Testing

@testable import KubeModel

/// `Secret.value(_:)`: base64 with line breaks and spaces, plain `stringData`, and what is not base64.
struct SecretValueTests {
    static func secret(data: [String: String] = [:], stringData: [String: String]? = nil) -> Secret {
        Secret(metadata: ObjectMeta(name: "s"), data: data, stringData: stringData)
    }

    @Test("base64 values decode with spaces, tabs, line breaks and Unicode spaces anywhere")
    func whitespace() {
        let secret = Self.secret(data: ["a": "aGVs\nbG8g\r\nd29y\tbGQ= ", "b": " aGk=", "c": "a\u{00A0}G\u{2003}k="])
        #expect(secret.value("a") == Array("hello world".utf8))
        #expect(secret.value("b") == Array("hi".utf8))
        #expect(secret.value("c") == Array("hi".utf8))
    }

    @Test("stringData wins over data; a missing key is nil")
    func stringData() {
        let secret = Self.secret(data: ["a": "aGk="], stringData: ["a": "plain"])
        #expect(secret.value("a") == Array("plain".utf8))
        #expect(secret.value("missing") == nil)
    }

    @Test("text that is not base64 is nil", arguments: ["not base64!", "aGk", "aGk=\u{00E9}"])
    func invalid(text: String) {
        #expect(Self.secret(data: ["a": text]).value("a") == nil)
    }
}
