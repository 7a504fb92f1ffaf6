/// A UTC calendar time computed from seconds since 1970 (proleptic Gregorian), without Foundation formatters:
/// used for creationTimestamp stamps, certificate dates and the HTTP `Date` header.
public struct CivilTime: Hashable, Sendable {
    /// The year.
    public var year: Int
    /// 1…12.
    public var month: Int
    /// 1…31.
    public var day: Int
    /// 0…23.
    public var hour: Int
    /// 0…59.
    public var minute: Int
    /// 0…59.
    public var second: Int
    /// 0 = Sunday … 6 = Saturday.
    public var weekday: Int

    /// The calendar time of `epochSeconds`.
    public init(epochSeconds: Int) {
        let days = epochSeconds.quotientAndRemainder(dividingBy: 86_400)
        var dayNumber = days.quotient
        var secondOfDay = days.remainder
        if secondOfDay < 0 {
            secondOfDay += 86_400
            dayNumber -= 1
        }
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        weekday = ((dayNumber % 7) + 11) % 7  // 1970-01-01 was a Thursday
    }

    /// `2026-11-26T17:14:56Z`.
    public var rfc3339: String {
        "\(year)-\(Self.two(month))-\(Self.two(day))T\(Self.two(hour)):\(Self.two(minute)):\(Self.two(second))Z"
    }

    /// `Thu, 26 Nov 2026 17:14:56 GMT` (the IMF-fixdate of HTTP).
    public var imfFixdate: String {
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekdays[weekday]), \(Self.two(day)) \(months[month - 1]) \(year) \(Self.two(hour)):\(Self.two(minute)):\(Self.two(second)) GMT"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
