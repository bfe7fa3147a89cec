/// Where a machine in profile state `install` is in its install (docs/lifecycle.md).
///
/// The profile says what the admin wants; the phase says what happened. Only the installer's callback moves a
/// machine to `installed`, and only `rackboot reinstall` moves it back.
public enum InstallPhase: String, Sendable, Hashable, CaseIterable, Codable {
    /// Waiting for its next network boot, which installs it.
    case pending
    /// It was handed its installer (boot config, answer file) and has not called back yet.
    case installing
    /// Its installer called back with the right token: it boots its disk from now on.
    case installed
}
