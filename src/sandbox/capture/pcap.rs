//! Classic pcap files ([`write`]): what `tcpdump -w` writes and Wireshark and tshark open.
//!
//! The format is a 24-byte file header followed by one 16-byte record header and the frame's
//! bytes per frame (<https://www.tcpdump.org/manpages/pcap-savefile.5.html>); it has not
//! changed since 1998, so it is written here rather than through a crate. Times are in
//! microseconds, numbers little-endian (readers tell the byte order from the magic number),
//! and the link type is Ethernet: frames on Linux's `lo` carry an Ethernet header.

use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// Magic number of a pcap file whose times are in microseconds.
const MAGIC_MICROSECONDS: u32 = 0xa1b2_c3d4;
/// LINKTYPE_ETHERNET.
const LINKTYPE_ETHERNET: u32 = 1;

/// One captured frame: when it was seen, its length on the wire, and the bytes kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Frame {
    /// When the kernel saw it.
    pub time: SystemTime,
    /// Its whole length.
    pub wire_len: u32,
    /// Its first bytes (at most the capture's snapshot length).
    pub bytes: Vec<u8>,
}

/// Writes `frames` as a pcap file whose frames were cut to `snap_len` bytes.
pub(super) fn write(out: &mut impl Write, snap_len: u32, frames: &[Frame]) -> io::Result<()> {
    let mut header = Vec::with_capacity(24);
    header.extend_from_slice(&MAGIC_MICROSECONDS.to_le_bytes());
    header.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    header.extend_from_slice(&4u16.to_le_bytes());
    header.extend_from_slice(&0i32.to_le_bytes()); // times are UTC
    header.extend_from_slice(&0u32.to_le_bytes()); // accuracy of times: always 0
    header.extend_from_slice(&snap_len.to_le_bytes());
    header.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    out.write_all(&header)?;
    for frame in frames {
        let since_epoch = frame.time.duration_since(UNIX_EPOCH).unwrap_or_default();
        // Seconds are 32 bits in this format (until 2106, read as unsigned).
        let seconds = u32::try_from(since_epoch.as_secs()).unwrap_or(u32::MAX);
        let kept = u32::try_from(frame.bytes.len()).unwrap_or(u32::MAX);
        let mut record = [0u8; 16];
        record[0..4].copy_from_slice(&seconds.to_le_bytes());
        record[4..8].copy_from_slice(&since_epoch.subsec_micros().to_le_bytes());
        record[8..12].copy_from_slice(&kept.to_le_bytes());
        record[12..16].copy_from_slice(&frame.wire_len.max(kept).to_le_bytes());
        out.write_all(&record)?;
        out.write_all(&frame.bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_file_has_the_classic_header_and_one_record_per_frame() {
        let frames = [
            Frame {
                time: UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789),
                wire_len: 74,
                bytes: vec![0xaa; 74],
            },
            Frame {
                time: UNIX_EPOCH + Duration::new(1_700_000_001, 5_000),
                wire_len: 65_000,
                bytes: vec![0xbb; 256],
            },
        ];
        let mut file = Vec::new();
        write(&mut file, 256, &frames).unwrap();
        assert_eq!(file.len(), 24 + 16 + 74 + 16 + 256);
        assert_eq!(&file[0..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
        assert_eq!(&file[4..8], &[2, 0, 4, 0]);
        assert_eq!(&file[16..20], &256u32.to_le_bytes());
        assert_eq!(&file[20..24], &1u32.to_le_bytes());
        let record = &file[24..40];
        assert_eq!(&record[0..4], &1_700_000_000u32.to_le_bytes());
        assert_eq!(&record[4..8], &123_456u32.to_le_bytes());
        assert_eq!(&record[8..12], &74u32.to_le_bytes());
        assert_eq!(&record[12..16], &74u32.to_le_bytes());
        let second = &file[24 + 16 + 74..24 + 16 + 74 + 16];
        assert_eq!(&second[4..8], &5u32.to_le_bytes());
        assert_eq!(&second[8..12], &256u32.to_le_bytes());
        assert_eq!(&second[12..16], &65_000u32.to_le_bytes());
    }
}
