/// The Rackboot release this build is.
public enum RackbootVersion {
    public static let string = "0.1.0"
}
