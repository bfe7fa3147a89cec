/// A read or write request: file name, mode and the RFC 2347 options in the order the client sent them.
///
/// Options stay a list rather than a dictionary so a repeated option is still visible (`duplicateOptionNames`) and
/// so an OACK can answer in the client's order.
public struct TFTPRequest: Hashable, Sendable {
    /// Exactly as sent; file resolution normalises it (`TFTPFileName`).
    public var filename: String
    public var mode: TFTPTransferMode
    /// Names lower-cased, wire order, duplicates kept.
    public var options: [TFTPOption]

    public init(filename: String, mode: TFTPTransferMode, options: [TFTPOption] = []) {
        self.filename = filename
        self.mode = mode
        self.options = options
    }

    /// The value of the first option called `name` (any case), or `nil`.
    public func firstValue(ofOption name: String) -> String? {
        let lowered = name.lowercased()
        return options.first { $0.name == lowered }?.value
    }

    /// Names that appear more than once, in first-appearance order. RFC 2347 does not say which copy wins;
    /// the negotiator uses the first and the adapter may log these.
    public var duplicateOptionNames: [String] {
        var seen: Set<String> = []
        var reported: Set<String> = []
        var duplicates: [String] = []
        for option in options {
            if !seen.insert(option.name).inserted, reported.insert(option.name).inserted {
                duplicates.append(option.name)
            }
        }
        return duplicates
    }
}
