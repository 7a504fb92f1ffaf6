import KubeModel
import Testing

/// The name syntaxes of the API server: DNS-1123 subdomains and labels, DNS-1035 labels, port names and numbers.
struct NameValidationTests {
    @Test(
        "DNS-1123 subdomain",
        arguments: [
            ("example.com", true), ("a", true), ("0.1-2.x", true), ("Example.com", false), ("-a.com", false), ("a-.com", false),
            ("a..com", false), ("a.com.", false), ("", false), ("a_b.com", false), ("*.a.com", false),
            (String(repeating: "a", count: 253), true), (String(repeating: "a", count: 254), false),
        ])
    func subdomain(_ value: String, _ valid: Bool) {
        #expect(NameValidation.dns1123Subdomain(value).isEmpty == valid)
    }

    @Test(
        "wildcard DNS-1123 subdomain",
        arguments: [
            ("*.example.com", true), ("*.a", true), ("*.", false), ("*", false), ("a.*.com", false), ("**.a.com", false),
            ("*a.com", false), ("*.A.com", false), ("example.com", false),
        ])
    func wildcard(_ value: String, _ valid: Bool) {
        #expect(NameValidation.wildcardDNS1123Subdomain(value).isEmpty == valid)
    }

    @Test(
        "DNS-1123 and DNS-1035 labels",
        arguments: [
            ("web", true, true), ("1web", true, false), ("web-1", true, true), ("web-", false, false), ("Web", false, false),
            ("web.shop", false, false), ("", false, false), (String(repeating: "a", count: 63), true, true),
            (String(repeating: "a", count: 64), false, false),
        ])
    func labels(_ value: String, _ valid1123: Bool, _ valid1035: Bool) {
        #expect(NameValidation.dns1123Label(value).isEmpty == valid1123)
        #expect(NameValidation.dns1035Label(value).isEmpty == valid1035)
    }

    @Test(
        "port names (IANA service names)",
        arguments: [
            ("http", 0), ("h2c", 0), ("web-8080", 0), ("abcdefghijklmno", 0), ("abcdefghijklmnop", 1), ("HTTP", 2), ("http_1", 1),
            ("8080", 1), ("-http", 1), ("http-", 1), ("h--p", 1), ("", 2),
        ])
    func portNames(_ value: String, _ problemCount: Int) {
        #expect(NameValidation.portName(value).count == problemCount, "\(NameValidation.portName(value))")
    }

    @Test("port numbers", arguments: [(0, false), (1, true), (80, true), (65535, true), (65536, false), (-80, false)])
    func portNumbers(_ value: Int, _ valid: Bool) {
        #expect(NameValidation.portNumber(value).isEmpty == valid)
    }

    @Test("IP literals", arguments: [("10.0.0.1", true), ("::1", true), ("example.com", false), ("10.0.0", false), ("1.2.3.4.5", false)])
    func ipLiterals(_ value: String, _ isIP: Bool) {
        #expect(NameValidation.isIPAddress(value) == isIP)
    }
}
