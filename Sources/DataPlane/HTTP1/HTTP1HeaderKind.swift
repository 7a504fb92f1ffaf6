import NIOCore

/// Well-known header names, recognised once while parsing so the proxy can filter fields without comparing strings.
public enum HTTP1HeaderKind: UInt8, Sendable, Hashable {
    /// Any name not listed below.
    case other
    case host
    case contentLength
    case transferEncoding
    case connection
    case keepAlive
    case te
    case trailer
    case upgrade
    case proxyConnection
    case proxyAuthenticate
    case proxyAuthorization
    /// The bare `Proxy` header (the "httpoxy" vector), which a proxy should drop.
    case proxy
    /// Any other `Proxy-*` name (hop-by-hop for a proxy: meant for the proxy, never the backend).
    case proxyOther
    case forwarded
    case xForwardedFor
    case xForwardedHost
    case xForwardedPort
    case xForwardedProto
    case xForwardedPrefix
    /// Any other `X-Forwarded-*` name.
    case xForwardedOther
    case xRealIP
    case xRequestID
    case expect
    case date
    case server

    /// Hop-by-hop fields a proxy never forwards (RFC 9110 §7.6.1, plus Proxy-Connection and the RFC 2616 list).
    /// Fields named by `Connection` are hop-by-hop too; see `HTTP1Head.isNominatedByConnection(_:)`.
    public var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .te, .trailer, .transferEncoding, .upgrade, .proxyConnection,
            .proxyAuthenticate, .proxyAuthorization, .proxyOther, .proxy:
            return true
        default:
            return false
        }
    }

    /// Fields HTTP/2 forbids (RFC 9113 §8.2.2) plus the framing field HTTP/2 replaces: never carried into an
    /// HTTP/2 message.
    public var isConnectionSpecific: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .transferEncoding, .upgrade, .te: true
        default: false
        }
    }

    /// Classifies the (already validated, token-only) name at `range` of `p`, ignoring ASCII case.
    static func classify(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> HTTP1HeaderKind {
        @inline(__always) func eq(_ name: StaticString) -> Bool {
            HTTP1Scanner.equalsLowercased(p, range, name)
        }
        let first = HTTP1Scanner.lowercased(p[range.lowerBound])
        var kind = HTTP1HeaderKind.other
        switch range.count {
        case 2:
            if eq("te") { kind = .te }
        case 4:
            if first == UInt8(ascii: "h") {
                if eq("host") { kind = .host }
            } else if eq("date") {
                kind = .date
            }
        case 5:
            if eq("proxy") { kind = .proxy }
        case 6:
            if first == UInt8(ascii: "e") {
                if eq("expect") { kind = .expect }
            } else if eq("server") {
                kind = .server
            }
        case 7:
            if first == UInt8(ascii: "t") {
                if eq("trailer") { kind = .trailer }
            } else if eq("upgrade") {
                kind = .upgrade
            }
        case 9:
            if first == UInt8(ascii: "f") {
                if eq("forwarded") { kind = .forwarded }
            } else if eq("x-real-ip") {
                kind = .xRealIP
            }
        case 10:
            if first == UInt8(ascii: "c") {
                if eq("connection") { kind = .connection }
            } else if eq("keep-alive") {
                kind = .keepAlive
            }
        case 12:
            if eq("x-request-id") { kind = .xRequestID }
        case 14:
            if eq("content-length") { kind = .contentLength }
        case 15:
            if eq("x-forwarded-for") { kind = .xForwardedFor }
        case 16:
            if first == UInt8(ascii: "p") {
                if eq("proxy-connection") { kind = .proxyConnection }
            } else if eq("x-forwarded-host") {
                kind = .xForwardedHost
            } else if eq("x-forwarded-port") {
                kind = .xForwardedPort
            }
        case 17:
            if first == UInt8(ascii: "t") {
                if eq("transfer-encoding") { kind = .transferEncoding }
            } else if eq("x-forwarded-proto") {
                kind = .xForwardedProto
            }
        case 18:
            if first == UInt8(ascii: "p") {
                if eq("proxy-authenticate") { kind = .proxyAuthenticate }
            } else if eq("x-forwarded-prefix") {
                kind = .xForwardedPrefix
            }
        case 19:
            if eq("proxy-authorization") { kind = .proxyAuthorization }
        default:
            break
        }
        if kind == .other, first == UInt8(ascii: "p"), range.count > 6,
            HTTP1Scanner.equalsLowercased(p, range.lowerBound..<(range.lowerBound + 6), "proxy-")
        {
            kind = .proxyOther
        }
        if kind == .other, first == UInt8(ascii: "x"), range.count > 12,
            HTTP1Scanner.equalsLowercased(p, range.lowerBound..<(range.lowerBound + 12), "x-forwarded-")
        {
            kind = .xForwardedOther
        }
        return kind
    }
}
