import Testing

@testable import DataPlane

/// The first TLS 1.3 suite of a ClientHello's cipher list, which decides whether a client gets the ChaCha20-first
/// order (the negotiated suites themselves are checked end to end with openssl in `HTTPSProtocolTests`).
@Suite struct CipherPreferenceTests {
    /// The suite `CipherPreference` finds first in a list of two-byte suite numbers.
    private static func first(_ suites: [UInt16]) -> UInt16? {
        let bytes = suites.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        return bytes.withUnsafeBufferPointer { CipherPreference.firstTLS13Suite($0) }
    }

    @Test func greaseAndTLS12SuitesAreSkipped() {
        // GREASE (RFC 8701), then TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256, then ChaCha20-Poly1305 and AES-128-GCM.
        #expect(Self.first([0x0A0A, 0xC02B, 0x1303, 0x1301]) == 0x1303)
        #expect(Self.first([0x1302, 0x1303, 0x1301]) == 0x1302)
        // TLS_AES_128_CCM_SHA256 is not one of the three the server offers.
        #expect(Self.first([0x1304, 0x1301]) == 0x1301)
    }

    @Test func aListWithoutTLS13SuitesHasNone() {
        #expect(Self.first([]) == nil)
        #expect(Self.first([0xC02B, 0xC02F]) == nil)
        // A dangling odd byte is not read as half a suite.
        #expect([UInt8(0x13)].withUnsafeBufferPointer { CipherPreference.firstTLS13Suite($0) } == nil)
    }
}
