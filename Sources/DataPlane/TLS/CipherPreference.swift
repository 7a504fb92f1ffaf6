import CNIOBoringSSL
import NIOSSL

/// The server's cipher suite preference, which NIOSSL has no setting for.
///
/// TLS 1.2: the configured list's order decides, not the client's (as ingress-nginx's `ssl_prefer_server_ciphers`).
///
/// TLS 1.3: BoringSSL's default lets the client choose between AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305.
/// OpenSSL-based clients (curl, wrk, Python) list AES-256-GCM first, whose suite runs the handshake's key schedule and
/// transcript on SHA-384: SHA-512 has no hardware path on x86 (BoringSSL's vector code is for Intel only), while
/// SHA-256 has SHA extensions on current x86 and ARM cores, and AES-128 takes 10 rounds to AES-256's 14. So, on a
/// machine with AES hardware, the server's order is AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, except for a client
/// whose first TLS 1.3 choice is ChaCha20-Poly1305 (a client without AES hardware says so that way): it gets
/// ChaCha20-Poly1305. Without AES hardware BoringSSL's default (ChaCha20 first) stays.
enum CipherPreference {
    /// The server's order.
    private static let serverOrder: [UInt16] = [aes128, aes256, chacha20]
    /// The order for a client that asks for ChaCha20-Poly1305 first.
    private static let chachaFirst: [UInt16] = [chacha20, aes128, aes256]
    private static let aes128 = UInt16(SSL_CIPHER_AES_128_GCM_SHA256)
    private static let aes256 = UInt16(SSL_CIPHER_AES_256_GCM_SHA384)
    private static let chacha20 = UInt16(SSL_CIPHER_CHACHA20_POLY1305_SHA256)

    /// Sets the preference on a server context before its first connection. False when it could not: NIOSSL's
    /// context no longer shows its BoringSSL context (a changed NIOSSL) or BoringSSL refused the TLS 1.3 order; the
    /// client's order then decides. Without AES hardware only the TLS 1.2 order is set, and that counts as set.
    static func apply(to context: NIOSSLContext) -> Bool {
        guard let boringContext = boringContext(of: context) else { return false }
        _ = SSL_CTX_set_options(boringContext, UInt32(SSL_OP_CIPHER_SERVER_PREFERENCE))
        guard EVP_has_aes_hardware() == 1 else { return true }
        guard SSL_CTX_set1_tls13_ciphers(boringContext, serverOrder, nil, serverOrder.count) == 1 else { return false }
        // NIOSSL picks certificates in the later certificate callback; the early one is free for this.
        SSL_CTX_set_select_certificate_cb(boringContext, clientHelloSeen)
        return true
    }

    /// BoringSSL's early callback: the ClientHello's first TLS 1.3 suite decides between the two orders.
    private static let clientHelloSeen: @convention(c) (UnsafePointer<SSL_CLIENT_HELLO>?) -> ssl_select_cert_result_t = { hello in
        guard let hello, let suites = hello.pointee.cipher_suites else { return ssl_select_cert_success }
        if firstTLS13Suite(UnsafeBufferPointer(start: suites, count: hello.pointee.cipher_suites_len)) == chacha20 {
            _ = SSL_set1_tls13_ciphers(hello.pointee.ssl, chachaFirst, nil, chachaFirst.count)
        }
        return ssl_select_cert_success
    }

    /// The first TLS 1.3 suite of a ClientHello's cipher suite list (two bytes per suite), if it has one.
    static func firstTLS13Suite(_ list: UnsafeBufferPointer<UInt8>) -> UInt16? {
        var index = 0
        while index + 1 < list.count {
            let suite = UInt16(list[index]) << 8 | UInt16(list[index + 1])
            if suite == aes128 || suite == aes256 || suite == chacha20 { return suite }
            index += 2
        }
        return nil
    }

    /// The BoringSSL `SSL_CTX` a NIOSSL context wraps. NIOSSL keeps it in a private stored property, read here by
    /// reflection; a NIOSSL that renames it yields nil, and the test of the negotiated suite fails.
    private static func boringContext(of context: NIOSSLContext) -> OpaquePointer? {
        Mirror(reflecting: context).children.first { $0.label == "sslContext" }?.value as? OpaquePointer
    }
}
