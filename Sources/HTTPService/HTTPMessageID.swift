/// Stable journal `MESSAGE_ID`s of the HTTP events an admin queries (`journalctl MESSAGE_ID=…`); never change them.
public enum HTTPMessageID {
    /// A rendered boot config went out over HTTP (the TFTP event of the same name has its own ID).
    public static let bootConfigServed = "fa0c7e18796842cfba2339d49617c7eb"
    /// A file under the root went out over HTTP.
    public static let fileServed = "5712bb92dab94850b48657082808dc95"
    /// A request was refused: bad request, path escape, access denied, limits.
    public static let requestRefused = "02d3f2d7fe58490ea1349d1f5a074b44"
}
