import Crypto
import Foundation
import Routing
import SwiftASN1
import X509

/// Checks TLS Secrets with swift-certificates: the chain must be PEM certificates, the key a PEM RSA, ECDSA or
/// Ed25519 key, and the key must belong to the leaf. Reports validity and the names the leaf covers.
public struct X509CertificateInspector: CertificateInspector {
    /// Creates an inspector.
    public init() {}

    /// Inspects a chain and key.
    public func inspect(chainPEM: [UInt8], keyPEM: [UInt8]) -> Result<CertificateFacts, CertificateProblem> {
        let chainText = String(decoding: chainPEM, as: UTF8.self)
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: chainText).filter { $0.discriminator == "CERTIFICATE" }
        } catch {
            return .failure(CertificateProblem("tls.crt is not PEM"))
        }
        guard let leafDocument = documents.first else { return .failure(CertificateProblem("tls.crt holds no PEM certificate")) }
        let leaf: Certificate
        do {
            leaf = try Certificate(pemDocument: leafDocument)
            for document in documents.dropFirst() { _ = try Certificate(pemDocument: document) }
        } catch {
            return .failure(CertificateProblem("tls.crt is not a valid X.509 certificate"))
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: String(decoding: keyPEM, as: UTF8.self))
        } catch {
            return .failure(CertificateProblem("tls.key is not a PEM private key (RSA, ECDSA or Ed25519)"))
        }
        guard key.publicKey == leaf.publicKey else {
            return .failure(CertificateProblem("tls.key does not match the certificate in tls.crt"))
        }
        var names: [String] = []
        if let alternatives = try? leaf.extensions.subjectAlternativeNames {
            for name in alternatives {
                if case .dnsName(let dns) = name { names.append(dns.lowercased()) }
            }
        }
        if names.isEmpty {
            for relative in leaf.subject {
                for attribute in relative where attribute.type == .RDNAttributeType.commonName {
                    names.append(String(describing: attribute.value).lowercased())
                }
            }
        }
        return .success(
            CertificateFacts(
                notBefore: Int(leaf.notValidBefore.timeIntervalSince1970),
                notAfter: Int(leaf.notValidAfter.timeIntervalSince1970),
                dnsNames: names,
                keyType: Self.keyType(key),
                subject: String(describing: leaf.subject)
            )
        )
    }

    /// A short name for the key's algorithm.
    static func keyType(_ key: Certificate.PrivateKey) -> String {
        let description = String(describing: key.publicKey)
        if description.contains("P256") { return "ECDSA P-256" }
        if description.contains("P384") { return "ECDSA P-384" }
        if description.contains("P521") { return "ECDSA P-521" }
        if description.contains("RSA") { return "RSA" }
        if description.contains("Ed25519") || description.contains("Curve25519") { return "Ed25519" }
        return "unknown"
    }
}
