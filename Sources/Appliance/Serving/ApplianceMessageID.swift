/// Stable journal `MESSAGE_ID`s of the appliance's own events; never change them.
public enum ApplianceMessageID {
    /// A new inventory was validated and put in force.
    public static let reloadSucceeded = "cd96524f232947f69032e51cbfa80779"
    /// A reload found errors; the previous inventory keeps serving.
    public static let reloadFailed = "c10e64a83bb545b0b9cc7281edac2100"
}
