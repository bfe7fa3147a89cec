import NIOCore
import TFTPCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open regular file under the TFTP root, read with `pread` at block offsets so any number of transfers can
/// share one descriptor (pread has no file position) and big files are never loaded whole.
///
/// The descriptor closes when the last reference goes away. Reads block the calling thread for the time of one
/// `pread` on a local file, which is how dnsmasq and tftp-hpa serve; an adapter that wants the event loop free of
/// disk waits can call `read` from `NIOThreadPool`.
public final class TFTPOpenedFile: TFTPSizedFileSource, Sendable {
    /// The file's identity, used to share one descriptor among transfers of the same file.
    public struct Identity: Hashable, Sendable {
        public let device: UInt64
        public let inode: UInt64
    }

    public let descriptor: CInt
    /// The size at open time (fstat); it fixes tsize and the block count for transfers that use this descriptor.
    public let byteCount: UInt64
    public let identity: Identity

    /// Takes ownership of `descriptor`.
    init(descriptor: CInt, byteCount: UInt64, identity: Identity) {
        self.descriptor = descriptor
        self.byteCount = byteCount
        self.identity = identity
    }

    deinit {
        close(descriptor)
    }

    /// `pread` until `length` bytes arrived, retrying on EINTR; a short file is `TFTPFileReadError.shortRead`.
    public func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
        guard length > 0 else { return }
        var total = 0
        var failure: Int32?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
            while total < length {
                let result = pread(
                    descriptor, target.baseAddress! + total, length - total, off_t(offset + UInt64(total)))
                if result > 0 {
                    total += result
                } else if result == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
            return total
        }
        if let failure { throw TFTPFileReadError.systemError(errno: failure) }
        if total < length { throw TFTPFileReadError.shortRead(offset: offset, requested: length, available: total) }
    }
}
