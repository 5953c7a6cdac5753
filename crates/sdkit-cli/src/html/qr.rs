//! QR codes as inline SVG, so a page needs no image file and no script. The `qrcode` crate
//! does the encoding; this only draws its modules.

use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write;

/// Modules of light margin around a code: the quiet zone the QR standard requires, without
/// which a scanner may not find the code on a printed page.
const QUIET: usize = 4;

/// How wide a module prints. At 0.5 mm a phone camera reads a version-40 code (185 modules
/// with the quiet zone, 92.5 mm) from a sheet of A4 or US Letter held at reading distance.
const MODULE_MM: f64 = 0.5;

/// The smallest a code prints, so that a short thumbprint is not a postage stamp.
const MIN_MM: f64 = 32.0;

/// What could not be drawn.
#[derive(Debug)]
pub enum QrError {
    /// The payload exceeds one code even at the lowest error correction (2953 bytes).
    TooLong {
        /// The payload's length in bytes.
        bytes: usize,
    },
}

impl std::fmt::Display for QrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QrError::TooLong { bytes } => write!(
                f,
                "{bytes} bytes do not fit one QR code (at most 2953 bytes at the lowest error correction)"
            ),
        }
    }
}

/// The code for `payload`: medium error correction (15% of the code may be damaged) where it
/// fits, low where only that fits, so that a certificate of a 4096-bit key still makes one.
fn encode(payload: &[u8]) -> Result<QrCode, QrError> {
    QrCode::with_error_correction_level(payload, EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(payload, EcLevel::L))
        .map_err(|_| QrError::TooLong {
            bytes: payload.len(),
        })
}

/// An `<svg>` element drawing `payload` as one QR code with its quiet zone, dark modules as
/// one path of unit squares, sized in millimetres for print. `label` becomes its accessible
/// title and must already be escaped.
pub fn svg(payload: &[u8], escaped_label: &str) -> Result<String, QrError> {
    let code = encode(payload)?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET;
    // One rectangle per horizontal run of dark modules: a third of the size of one square
    // per module, drawn the same.
    let mut path = String::with_capacity(width * width);
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
            let _ = write!(path, "M{} {}h{run}v1h-{run}z", x + QUIET, y + QUIET);
            x += run;
        }
    }
    // `side` is at most 185: exact in an f64.
    let mm = (side as f64 * MODULE_MM).max(MIN_MM);
    Ok(format!(
        "<svg class=\"qr\" role=\"img\" viewBox=\"0 0 {side} {side}\" \
         width=\"{mm:.1}mm\" height=\"{mm:.1}mm\" shape-rendering=\"crispEdges\">\
         <title>{escaped_label}</title>\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_limits() {
        let small = svg(b"abc", "t").unwrap();
        assert!(small.contains("viewBox=\"0 0 29 29\""), "{small}");
        // A 4096-bit certificate's DER (about 1.4 kB) still fits one code.
        assert!(svg(&[0xff; 1400], "t").is_ok());
        assert!(svg(&[0xff; 2953], "t").is_ok());
        assert!(matches!(
            svg(&[0xff; 2954], "t"),
            Err(QrError::TooLong { bytes: 2954 })
        ));
    }
}
