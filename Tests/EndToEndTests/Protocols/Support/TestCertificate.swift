import Foundation

/// A certificate and key made with `openssl` for one test, as a user would make them.
struct TestCertificate: Sendable {
    /// The key algorithm and PEM form.
    enum Key: Sendable {
        /// ECDSA P-256, PKCS#8 (`BEGIN PRIVATE KEY`).
        case ecdsa
        /// ECDSA P-256, SEC 1 (`BEGIN EC PRIVATE KEY`).
        case ecdsaSEC1
        /// RSA 2048, PKCS#8 (`BEGIN PRIVATE KEY`).
        case rsa
        /// RSA 2048, PKCS#1 (`BEGIN RSA PRIVATE KEY`).
        case rsaPKCS1
    }

    /// The PEM certificate (`tls.crt`).
    var certificatePEM: String
    /// The PEM private key (`tls.key`).
    var keyPEM: String
    /// The certificate file.
    var certificateFile: URL
    /// The key file.
    var keyFile: URL
    /// The SHA-256 fingerprint as openssl prints it (`AB:CD:…`).
    var fingerprint: String

    /// Makes a self-signed certificate named `commonName` covering `dnsNames`, valid for 30 days (or expired
    /// since 2020), with files `<stem>.crt` and `<stem>.key` in `directory`.
    static func make(
        in directory: URL,
        stem: String,
        commonName: String,
        dnsNames: [String],
        key: Key = .ecdsa,
        expired: Bool = false
    ) async throws -> TestCertificate {
        let keyFile = directory.appendingPathComponent("\(stem).key")
        let certificateFile = directory.appendingPathComponent("\(stem).crt")
        switch key {
        case .ecdsa:
            try await Tool.check("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile.path])
        case .ecdsaSEC1:
            try await Tool.check("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyFile.path])
        case .rsa:
            try await Tool.check("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyFile.path])
        case .rsaPKCS1:
            try await Tool.check("openssl", ["genrsa", "-traditional", "-out", keyFile.path, "2048"])
        }
        let names = dnsNames.map { "DNS:\($0)" }.joined(separator: ",")
        if expired {
            try await signExpired(
                in: directory, stem: stem, commonName: commonName, names: names, keyFile: keyFile, certificateFile: certificateFile)
        } else {
            try await Tool.check(
                "openssl",
                [
                    "req", "-x509", "-new", "-key", keyFile.path, "-days", "30", "-subj", "/CN=\(commonName)",
                    "-addext", "subjectAltName=\(names)", "-out", certificateFile.path,
                ]
            )
        }
        let certificatePEM = try String(contentsOf: certificateFile, encoding: .utf8)
        return TestCertificate(
            certificatePEM: certificatePEM,
            keyPEM: try String(contentsOf: keyFile, encoding: .utf8),
            certificateFile: certificateFile,
            keyFile: keyFile,
            fingerprint: try await Self.fingerprint(ofPEM: certificatePEM)
        )
    }

    /// Signs a certificate valid only in January 2020 with `openssl ca -selfsign` (the one openssl command that
    /// sets arbitrary validity dates).
    private static func signExpired(
        in directory: URL,
        stem: String,
        commonName: String,
        names: String,
        keyFile: URL,
        certificateFile: URL
    ) async throws {
        let ca = directory.appendingPathComponent("\(stem)-ca", isDirectory: true)
        try FileManager.default.createDirectory(at: ca, withIntermediateDirectories: true)
        try Data().write(to: ca.appendingPathComponent("index.txt"))
        try Data("01\n".utf8).write(to: ca.appendingPathComponent("serial"))
        let configuration = ca.appendingPathComponent("ca.cnf")
        try """
        [ ca ]
        default_ca = test_ca
        [ test_ca ]
        dir = \(ca.path)
        database = \(ca.path)/index.txt
        new_certs_dir = \(ca.path)
        serial = \(ca.path)/serial
        default_md = sha256
        policy = any
        unique_subject = no
        copy_extensions = copy
        [ any ]
        commonName = supplied

        """.write(to: configuration, atomically: true, encoding: .utf8)
        let request = ca.appendingPathComponent("request.csr")
        try await Tool.check(
            "openssl",
            ["req", "-new", "-key", keyFile.path, "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=\(names)", "-out", request.path]
        )
        try await Tool.check(
            "openssl",
            [
                "ca", "-batch", "-config", configuration.path, "-selfsign", "-keyfile", keyFile.path, "-in", request.path,
                "-out", certificateFile.path, "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-notext",
            ]
        )
    }

    /// The SHA-256 fingerprint and subject of a PEM certificate.
    static func describe(pem: String) async throws -> (fingerprint: String, subject: String) {
        let output = try await Tool.check("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-subject"], input: Array(pem.utf8))
        var fingerprint = ""
        var subject = ""
        for line in output.split(separator: "\n") {
            if let equals = line.firstIndex(of: "="), line.lowercased().contains("fingerprint") {
                fingerprint = String(line[line.index(after: equals)...])
            } else if line.hasPrefix("subject=") {
                subject = String(line.dropFirst("subject=".count)).trimmingCharacters(in: .whitespaces)
            }
        }
        return (fingerprint, subject)
    }

    /// The SHA-256 fingerprint of a PEM certificate.
    static func fingerprint(ofPEM pem: String) async throws -> String { try await describe(pem: pem).fingerprint }
}

/// The certificate a TLS server presented, as `openssl s_client` saw it.
struct PresentedCertificate: Sendable, CustomStringConvertible {
    /// The leaf's SHA-256 fingerprint.
    var fingerprint: String
    /// The leaf's subject (`CN = …`).
    var subject: String
    /// Everything s_client printed (protocol, cipher, ALPN, resumption).
    var transcript: String

    var description: String { "\(subject) (\(fingerprint))" }

    /// The ALPN protocol s_client reports, nil when none was negotiated.
    var alpn: String? {
        for line in transcript.split(separator: "\n") where line.hasPrefix("ALPN protocol: ") {
            return String(line.dropFirst("ALPN protocol: ".count))
        }
        return nil
    }

    /// The protocol version of the session (`TLSv1.3`, `TLSv1.2`), from s_client's `New, TLSv1.3, Cipher is …` line.
    var version: String? {
        guard let fields = sessionLine?.split(separator: ","), fields.count > 1 else { return nil }
        return fields[1].trimmingCharacters(in: .whitespaces)
    }

    /// The cipher suite of the session, from s_client's `New, TLSv1.3, Cipher is …` line.
    var cipher: String? {
        guard let line = sessionLine, let marker = line.range(of: "Cipher is ") else { return nil }
        return String(line[marker.upperBound...])
    }

    /// s_client's line that names the session: `New, TLSv1.3, Cipher is …` (or `Reused, …`).
    private var sessionLine: Substring? {
        transcript.split(separator: "\n").first { $0.hasPrefix("New, ") || $0.hasPrefix("Reused, ") }
    }

    /// Whether the session was resumed.
    var resumed: Bool { transcript.contains("Reused, TLS") }
}

/// Runs `openssl s_client` against the proxy.
enum SClient {
    /// Connects to `127.0.0.1:port` with SNI `serverName` (nil: no SNI at all) and returns the leaf certificate
    /// the server presented. `extra` adds s_client options (`-alpn`, `-tls1_2`, `-sess_out`…).
    /// `input` is sent after the handshake.
    static func certificate(port: Int, serverName: String?, extra: [String] = [], input: [UInt8] = []) async throws -> PresentedCertificate
    {
        var arguments = ["s_client", "-connect", "127.0.0.1:\(port)"]
        arguments += serverName.map { ["-servername", $0] } ?? ["-noservername"]
        arguments += extra
        let result = try await Tool.run("openssl", arguments, input: input, timeout: .seconds(30))
        let transcript = result.output
        guard let start = transcript.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = transcript.range(of: "-----END CERTIFICATE-----", range: start.upperBound..<transcript.endIndex)
        else {
            throw ToolFailed(command: arguments.joined(separator: " "), status: result.status, errors: result.errors + transcript)
        }
        let pem = String(transcript[start.lowerBound..<end.upperBound]) + "\n"
        let (fingerprint, subject) = try await TestCertificate.describe(pem: pem)
        return PresentedCertificate(fingerprint: fingerprint, subject: subject, transcript: transcript + result.errors)
    }

    /// Attempts a handshake and returns s_client's transcript and exit status, whatever happened.
    static func attempt(port: Int, serverName: String?, extra: [String] = []) async throws -> ToolResult {
        var arguments = ["s_client", "-connect", "127.0.0.1:\(port)"]
        arguments += serverName.map { ["-servername", $0] } ?? ["-noservername"]
        return try await Tool.run("openssl", arguments + extra, timeout: .seconds(30))
    }
}
