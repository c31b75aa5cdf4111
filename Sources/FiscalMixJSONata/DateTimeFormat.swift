/// `$fromMillis`/`$now` and `$toMillis` with XPath `format-dateTime` picture strings.
enum DateTimePicture {
    static func format(millis: Double, picture: String?, timezone: String?) throws -> String {
        guard let picture else { return ISODate.format(millis) }
        _ = picture
        throw JSONataError("D3133")
    }

    static func parse(_ text: String, picture: String) throws -> Double? {
        throw JSONataError("D3133")
    }
}

