//! The v2 parse response root (`GET /api/v2/parse/{job_id}`) and its job.

use serde_json::{Map, Value};

use crate::page::{ItemsResult, MarkdownResult, MetadataResult, TextResult};
use crate::wire::wire_object;

wire_object! {
    /// A v2 parse response, every expandable field included. Other shapes (v1, items alone)
    /// are normalised into this form by the loader.
    pub struct ParseResponse {
        /// The job's status and metadata.
        job: Job => "job",
        /// The structured page tree.
        items: ItemsResult => "items",
        /// Page markdown.
        markdown: MarkdownResult => "markdown",
        /// The whole document's markdown.
        markdown_full: String => "markdown_full",
        /// Page text.
        text: TextResult => "text",
        /// The whole document's text.
        text_full: String => "text_full",
        /// Page metadata.
        metadata: MetadataResult => "metadata",
        /// Job execution metadata (free-form).
        job_metadata: Value => "job_metadata",
        /// The parameters the job ran with (free-form; the API's option names).
        raw_parameters: Map<String, Value> => "raw_parameters",
        /// Extracted images with presigned URLs.
        images_content_metadata: Value => "images_content_metadata",
        /// Sizes and URLs of result files.
        result_content_metadata: Value => "result_content_metadata",
    }
}

wire_object! {
    /// A parse job's status and metadata (also the element of a job listing).
    pub struct Job {
        /// Job id.
        id: String => "id",
        /// Project id.
        project_id: String => "project_id",
        /// Status as written (seen in upper and lower case); see [`Job::status`].
        status: String => "status",
        /// Creation time.
        created_at: String => "created_at",
        /// Why the job failed.
        error_message: String => "error_message",
        /// Display name.
        name: String => "name",
        /// Parsing tier.
        tier: String => "tier",
        /// Update time.
        updated_at: String => "updated_at",
    }
}

/// A job status, read case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum JobStatus {
    /// Queued.
    Pending,
    /// Throttled (extract jobs).
    Throttled,
    /// Running.
    Running,
    /// Done.
    Completed,
    /// Failed.
    Failed,
    /// Cancelled.
    Cancelled,
    /// Anything else.
    Other,
}

impl JobStatus {
    /// Parses a status in any case (`completed`, `COMPLETED`, `Success` → completed).
    pub fn parse(s: &str) -> JobStatus {
        match s.trim().to_ascii_uppercase().as_str() {
            "PENDING" => JobStatus::Pending,
            "THROTTLED" => JobStatus::Throttled,
            "RUNNING" => JobStatus::Running,
            "COMPLETED" | "SUCCESS" => JobStatus::Completed,
            "FAILED" | "ERROR" => JobStatus::Failed,
            "CANCELLED" | "CANCELED" => JobStatus::Cancelled,
            _ => JobStatus::Other,
        }
    }

    /// The canonical upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "PENDING",
            JobStatus::Throttled => "THROTTLED",
            JobStatus::Running => "RUNNING",
            JobStatus::Completed => "COMPLETED",
            JobStatus::Failed => "FAILED",
            JobStatus::Cancelled => "CANCELLED",
            JobStatus::Other => "OTHER",
        }
    }
}

impl Job {
    /// The status, case-insensitively.
    pub fn status(&self) -> Option<JobStatus> {
        self.status.as_deref().map(JobStatus::parse)
    }
}
