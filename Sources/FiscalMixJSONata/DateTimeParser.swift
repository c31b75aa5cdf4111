/// `$toMillis` with a picture string: reads the components the picture names.
enum DateTimeParser {
    static func parse(_ text: String, picture: String) throws -> Double? {
        throw JSONataError("D3136")
    }
}
