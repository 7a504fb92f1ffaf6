import KubeModel
import Testing

/// IPv4/IPv6 parsing and CIDR ranges (used by EndpointSlice validation and NetworkPolicy ipBlocks).
struct IPAddressTests {
    @Test(
        "valid addresses and their canonical text",
        arguments: [
            ("10.0.0.1", "10.0.0.1"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"), ("::", "::"), ("::1", "::1"),
            ("fd00::1", "fd00::1"), ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"), ("FD00::A", "fd00::a"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("::ffff:1.2.3.4", "::ffff:102:304"), ("fe80::1%eth0", "fe80::1"),
        ])
    func valid(_ text: String, _ canonical: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == canonical)
        #expect(address.family == (text.contains(":") ? .v6 : .v4))
    }

    @Test(
        "invalid addresses",
        arguments: [
            "", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.-1", "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "1..2.3", ":::",
            "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::1", "1:2:3:4:5:6:7::8", "::1.2.3", "1.2.3.4::", "example.com",
        ])
    func invalid(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("IPv4 sorts before IPv6, then numerically")
    func ordering() throws {
        let addresses = try ["fd00::1", "10.0.0.2", "::1", "10.0.0.10", "9.255.255.255"].map { try #require(IPAddress($0)) }
        #expect(addresses.sorted().map(\.description) == ["9.255.255.255", "10.0.0.2", "10.0.0.10", "::1", "fd00::1"])
    }

    @Test(
        "CIDR membership",
        arguments: [
            ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.0", false), ("10.1.2.3/32", "10.1.2.3", true),
            ("10.1.2.3/32", "10.1.2.4", false), ("0.0.0.0/0", "203.0.113.9", true), ("0.0.0.0/0", "::1", false),
            ("192.168.0.0/23", "192.168.1.255", true), ("192.168.0.0/23", "192.168.2.0", false), ("fd00::/64", "fd00::abcd", true),
            ("fd00::/64", "fd00:0:0:1::1", false), ("fd00::/8", "fdff::1", true), ("::/0", "2001:db8::1", true),
            ("::/0", "10.0.0.1", false), ("2001:db8::/127", "2001:db8::1", true), ("2001:db8::/127", "2001:db8::2", false),
        ])
    func membership(_ range: String, _ address: String, _ inside: Bool) throws {
        let cidr = try #require(CIDR(range))
        let ip = try #require(IPAddress(address))
        #expect(cidr.contains(ip) == inside)
    }

    @Test(
        "invalid CIDRs",
        arguments: ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/a", "10.0.0.0/", "/8", "fd00::/129", "10.0.0.0/8/8", "10.0.0/8"])
    func invalidCIDR(_ text: String) {
        #expect(CIDR(text) == nil)
    }

    @Test("a CIDR contains narrower CIDRs inside it, not wider or disjoint ones")
    func cidrContainment() throws {
        let wide = try #require(CIDR("10.0.0.0/8"))
        #expect(wide.contains(try #require(CIDR("10.1.0.0/16"))))
        #expect(wide.contains(try #require(CIDR("10.0.0.0/8"))))
        #expect(!wide.contains(try #require(CIDR("0.0.0.0/0"))))
        #expect(!wide.contains(try #require(CIDR("11.0.0.0/16"))))
        #expect(try #require(CIDR("fd00::1/64")).description == "fd00::1/64")
    }
}
