/// An IPv4 or IPv6 address, parsed without Foundation or sockets (the pure core does no I/O).
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address family.
    public enum Family: Hashable, Sendable {
        /// 32-bit IPv4.
        case v4
        /// 128-bit IPv6.
        case v6
    }

    /// The family.
    public var family: Family
    /// The high 64 bits (IPv6 only; 0 for IPv4).
    public var high: UInt64
    /// The low 64 bits (an IPv4 address lives in the low 32 bits).
    public var low: UInt64

    /// Parses dotted-quad IPv4 (`10.0.0.1`) or IPv6 (`fd00::1`, `::ffff:1.2.3.4`); nil when not an address.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let (high, low) = Self.parseV6(text) else { return nil }
            self.family = .v6
            self.high = high
            self.low = low
        } else {
            guard let value = Self.parseV4(Substring(text)) else { return nil }
            self.family = .v4
            self.high = 0
            self.low = UInt64(value)
        }
    }

    /// The number of bits in an address of this family.
    public var bitWidth: Int { family == .v4 ? 32 : 128 }

    /// The address's bit at `index` counted from the most significant bit.
    func bit(_ index: Int) -> Bool {
        if family == .v4 { return (low >> UInt64(31 - index)) & 1 == 1 }
        return index < 64 ? (high >> UInt64(63 - index)) & 1 == 1 : (low >> UInt64(127 - index)) & 1 == 1
    }

    /// Whether the first `prefixLength` bits equal those of `other` (same family required).
    public func sharesPrefix(with other: IPAddress, length prefixLength: Int) -> Bool {
        guard family == other.family else { return false }
        if family == .v4 {
            guard prefixLength > 0 else { return true }
            let mask = UInt64(UInt32.max << UInt32(32 - prefixLength))
            return (low & mask) == (other.low & mask)
        }
        func masked(_ word: UInt64, bits: Int) -> UInt64 {
            if bits <= 0 { return 0 }
            if bits >= 64 { return word }
            return word & (UInt64.max << UInt64(64 - bits))
        }
        return masked(high, bits: prefixLength) == masked(other.high, bits: prefixLength)
            && masked(low, bits: prefixLength - 64) == masked(other.low, bits: prefixLength - 64)
    }

    /// Canonical text: dotted quad, or RFC 5952 compressed IPv6.
    public var description: String {
        if family == .v4 {
            let value = UInt32(truncatingIfNeeded: low)
            return "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
        }
        var groups: [UInt16] = []
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift))) }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > bestLength && end - index > 1 {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ slice: ArraySlice<UInt16>) -> String { slice.map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(groups[...]) }
        return hex(groups[..<bestStart]) + "::" + hex(groups[(bestStart + bestLength)...])
    }

    /// Orders IPv4 before IPv6, then numerically.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family { return lhs.family == .v4 }
        return (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    static func parseV4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                !(part.count > 1 && part.first == "0"), let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseV6(_ text: String) -> (UInt64, UInt64)? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }  // zone index
        var groups: [UInt16] = []
        var tailGroups: [UInt16] = []
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ part: Substring, into output: inout [UInt16], allowV4: Bool) -> Bool {
            if part.isEmpty { return true }
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (offset, field) in fields.enumerated() {
                if allowV4 && offset == fields.count - 1 && field.contains(".") {
                    guard let v4 = parseV4(field) else { return false }
                    output.append(UInt16(v4 >> 16))
                    output.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard (1...4).contains(field.count), let value = UInt16(field, radix: 16) else { return false }
                    output.append(value)
                }
            }
            return true
        }
        if halves.count == 2 {
            guard parseGroups(halves[0], into: &groups, allowV4: false),
                parseGroups(halves[1], into: &tailGroups, allowV4: true),
                groups.count + tailGroups.count <= 7
            else { return nil }
            groups += Array(repeating: 0, count: 8 - groups.count - tailGroups.count) + tailGroups
        } else {
            guard parseGroups(text, into: &groups, allowV4: true), groups.count == 8 else { return nil }
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
        return (high, low)
    }
}

/// An address range in CIDR notation (`10.0.0.0/8`, `fd00::/64`).
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The network address as written.
    public var address: IPAddress
    /// The prefix length.
    public var prefixLength: Int

    /// Parses `address/length`; nil when malformed or the length is out of range.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])),
            parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let length = Int(parts[1]),
            (0...address.bitWidth).contains(length)
        else { return nil }
        self.address = address
        self.prefixLength = length
    }

    /// Whether the address lies inside this range.
    public func contains(_ other: IPAddress) -> Bool {
        address.sharesPrefix(with: other, length: prefixLength)
    }

    /// Whether every address of `other` lies inside this range.
    public func contains(_ other: CIDR) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }

    /// `address/length`.
    public var description: String { "\(address)/\(prefixLength)" }
}
