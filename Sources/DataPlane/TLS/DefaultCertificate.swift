import Crypto
import Foundation
import SwiftASN1
import X509

/// The self-signed "Gatehouse default certificate" served for unknown names and for hosts whose Secret is
/// unusable, generated at start (ECDSA P-256, valid one year, named `gatehouse.invalid` and `ingress.local`).
public struct DefaultCertificate: Sendable {
    /// The PEM certificate.
    public let certificatePEM: String
    /// The PEM private key.
    public let keyPEM: String

    /// Generates a fresh certificate.
    public static func generate(now: Date = Date()) throws -> DefaultCertificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("Gatehouse")
            CommonName("Gatehouse default certificate")
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                KeyUsage(digitalSignature: true)
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("gatehouse.invalid"), .dnsName("ingress.local")])
            },
            issuerPrivateKey: .init(key)
        )
        return DefaultCertificate(certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
    }
}
