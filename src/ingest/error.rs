//! The one error type of the intake pipeline. Every error names a stable code (the JSON
//! `error.code` other tools match on) and carries the page it concerns, when there is one.

use std::fmt;

/// Stable error codes of `xinfang extract`. Documented in README.md ("Error codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The file could not be read from disk.
    Io,
    /// The file has no bytes.
    EmptyFile,
    /// The file is larger than `limits.max_file_bytes`.
    FileTooLarge,
    /// The content is not PNG, JPEG, TIFF, PDF or DOCX.
    UnsupportedFormat,
    /// The file claims the right format but its data is damaged or truncated.
    Corrupt,
    /// A page image is larger than `limits.max_page_pixels` / `max_page_side` (decompression bomb).
    TooManyPixels,
    /// The document has more pages than `limits.max_pages`.
    TooManyPages,
    /// A DOCX expands past `limits.max_docx_uncompressed` (zip bomb).
    TooLargeUncompressed,
    /// The PDF is encrypted and cannot be opened without a password.
    Encrypted,
    /// Reading the file took longer than its budget.
    Timeout,
    /// A page image uses a feature that is not supported (pixel format, PDF image filter).
    UnsupportedFeature,
    /// The OCR engine failed.
    Ocr,
    /// The output file could not be written (disk full, no permission, output is the input).
    WriteFailed,
    /// The output file exists and `--force` was not given.
    OutputExists,
    /// The register could not be read or written (database, data folder).
    Storage,
    /// A bug: a decoder panicked. The file is reported and the run goes on.
    Internal,
}

impl ErrorCode {
    /// Every code, for the tables of messages and their tests.
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::Io,
        ErrorCode::EmptyFile,
        ErrorCode::FileTooLarge,
        ErrorCode::UnsupportedFormat,
        ErrorCode::Corrupt,
        ErrorCode::TooManyPixels,
        ErrorCode::TooManyPages,
        ErrorCode::TooLargeUncompressed,
        ErrorCode::Encrypted,
        ErrorCode::Timeout,
        ErrorCode::UnsupportedFeature,
        ErrorCode::Ocr,
        ErrorCode::WriteFailed,
        ErrorCode::OutputExists,
        ErrorCode::Storage,
        ErrorCode::Internal,
    ];

    /// What the code means, for the people who brought the file (pages, `message_zh`).
    pub fn message_zh(self) -> &'static str {
        match self {
            ErrorCode::Io => "文件无法读取。",
            ErrorCode::EmptyFile => "文件是空的。",
            ErrorCode::FileTooLarge => "文件超过允许的大小。",
            ErrorCode::UnsupportedFormat => "不支持这种文件：请上传 PNG、JPEG、TIFF、PDF 或 DOCX。",
            ErrorCode::Corrupt => "文件已损坏或不完整，无法读取。",
            ErrorCode::TooManyPixels => "图像尺寸过大，请以每英寸 300 点左右重新扫描。",
            ErrorCode::TooManyPages => "页数超过允许的上限，请分成几份上传。",
            ErrorCode::TooLargeUncompressed => "DOCX 文件解压后过大。",
            ErrorCode::Encrypted => "PDF 已加密，无法打开；请上传未加密的文件。",
            ErrorCode::Timeout => "读取文件超时。",
            ErrorCode::UnsupportedFeature => "文件中的图像使用了不支持的格式。",
            ErrorCode::Ocr => "文字识别失败。",
            ErrorCode::WriteFailed => "结果文件无法写入。",
            ErrorCode::OutputExists => "结果文件已存在。",
            ErrorCode::Storage => "登记簿读写失败，请联系管理员。",
            ErrorCode::Internal => "处理此文件时出现内部错误，已记录，请联系管理员。",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Io => "io",
            ErrorCode::EmptyFile => "empty_file",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::UnsupportedFormat => "unsupported_format",
            ErrorCode::Corrupt => "corrupt",
            ErrorCode::TooManyPixels => "too_many_pixels",
            ErrorCode::TooManyPages => "too_many_pages",
            ErrorCode::TooLargeUncompressed => "too_large_uncompressed",
            ErrorCode::Encrypted => "encrypted",
            ErrorCode::Timeout => "timeout",
            ErrorCode::UnsupportedFeature => "unsupported_feature",
            ErrorCode::Ocr => "ocr_failed",
            ErrorCode::WriteFailed => "write_failed",
            ErrorCode::OutputExists => "output_exists",
            ErrorCode::Storage => "storage_failed",
            ErrorCode::Internal => "internal",
        }
    }
}

/// An intake error: a code, a message in plain words, and the page (1-based) if any.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestError {
    pub code: ErrorCode,
    pub message: String,
    pub page: Option<u32>,
}

impl IngestError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IngestError {
            code,
            message: message.into(),
            page: None,
        }
    }

    /// Attaches the page number, unless one is already set.
    pub fn on_page(mut self, page: u32) -> Self {
        self.page.get_or_insert(page);
        self
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.page {
            Some(p) => write!(f, "page {p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for IngestError {}

pub type Result<T> = std::result::Result<T, IngestError>;
