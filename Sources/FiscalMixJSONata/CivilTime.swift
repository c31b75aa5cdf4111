/// The calendar fields of a UTC-shifted instant (proleptic Gregorian, ISO weeks from Monday).
struct CivilTime {
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millisecond = 0
    var dayOfYear = 0, weekday = 0  // weekday 1 = Monday … 7 = Sunday
    let daysSinceEpoch: Int

    init(millis: Double) {
        let totalMillis = Int64(millis.rounded(.down))
        var days = totalMillis / 86_400_000
        var rest = totalMillis % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        daysSinceEpoch = Int(days)
        hour = Int(rest / 3_600_000)
        minute = Int(rest / 60_000 % 60)
        second = Int(rest / 1000 % 60)
        millisecond = Int(rest % 1000)
        (year, month, day) = CivilTime.civil(fromDays: Int(days))
        dayOfYear = Int(days) - CivilTime.days(fromCivil: year, 1, 1) + 1
        weekday = ((Int(days) % 7 + 7) % 7 + 3) % 7 + 1  // 1970-01-01 was a Thursday
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// The Thursday of this Monday-based week decides its year (ISO 8601) and its month.
    private var thursday: (year: Int, month: Int, day: Int, dayOfYear: Int) {
        let days = daysSinceEpoch - (weekday - 1) + 3
        let (y, m, d) = CivilTime.civil(fromDays: days)
        return (y, m, d, days - CivilTime.days(fromCivil: y, 1, 1) + 1)
    }

    var isoWeek: (year: Int, week: Int) {
        let t = thursday
        return (t.year, (t.dayOfYear - 1) / 7 + 1)
    }

    var weekOfMonth: (month: Int, week: Int) {
        let t = thursday
        return (t.month, (t.day - 1) / 7 + 1)
    }
}
