//! The other saved API bodies users keep next to parse results: the job listing, an extract
//! job, and batch item processing results (whose `parameters` are the parse options).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::response::Job;
use crate::wire::wire_object;

wire_object! {
    /// `GET /api/v2/parse`: one page of the job listing.
    pub struct JobList {
        /// The jobs.
        items: Vec<Job> => "items",
        /// Token for the next page, when there is one.
        next_page_token: String => "next_page_token",
        /// Total number of jobs (an estimate, when requested).
        total_size: f64 => "total_size",
    }
}

wire_object! {
    /// `GET /api/v2/extract/{job_id}`: an extraction job.
    pub struct ExtractJob {
        /// Job id.
        id: String => "id",
        /// Creation time.
        created_at: String => "created_at",
        /// Job parameters (free-form).
        parameters: Value => "parameters",
        /// Project id.
        project_id: String => "project_id",
        /// Status as written.
        status: String => "status",
        /// Input type: `url`, `file_id` or `parse_job_id`.
        input_type: String => "type",
        /// Update time.
        updated_at: String => "updated_at",
        /// The document identifier (URL, file id or parse job id).
        value: String => "value",
        /// Extract configuration id.
        configuration_id: String => "configuration_id",
        /// Why the job failed.
        error_message: String => "error_message",
        /// Extraction metadata.
        extract_metadata: ExtractMetadata => "extract_metadata",
        /// The extracted data (object or array), kept as written: its field order is the
        /// extraction schema's, which tables built from it follow.
        extract_result: RawJson => "extract_result",
    }
}

wire_object! {
    /// Metadata of an extraction job.
    pub struct ExtractMetadata {
        /// Per-field metadata (document, page and row level).
        field_metadata: Value => "field_metadata",
        /// The parse job the extraction read.
        parse_job_id: String => "parse_job_id",
        /// The parse tier used.
        parse_tier: String => "parse_tier",
        /// Usage figures.
        usage: ExtractUsage => "usage",
    }
}

wire_object! {
    /// Extraction usage figures.
    pub struct ExtractUsage {
        /// Document tokens.
        num_document_tokens: f64 => "num_document_tokens",
        /// Output tokens.
        num_output_tokens: f64 => "num_output_tokens",
        /// Pages extracted.
        num_pages_extracted: f64 => "num_pages_extracted",
    }
}

wire_object! {
    /// `GET /api/v1/beta/batch-processing/items/{item_id}/processing-results`.
    pub struct BatchResults {
        /// The source item.
        item_id: String => "item_id",
        /// The source item's name.
        item_name: String => "item_name",
        /// Every processing operation on the item.
        processing_results: Vec<ProcessingResult> => "processing_results",
    }
}

wire_object! {
    /// One processing operation of a batch item.
    pub struct ProcessingResult {
        /// The processed item.
        item_id: String => "item_id",
        /// The job configuration (a parse job record or a classify job).
        job_config: JobConfig => "job_config",
        /// `parse`, `extract` or `classify`.
        job_type: String => "job_type",
        /// Where the output is stored.
        output_s3_path: String => "output_s3_path",
        /// Hash of the job configuration.
        parameters_hash: String => "parameters_hash",
        /// When it ran.
        processed_at: String => "processed_at",
        /// Result id.
        result_id: String => "result_id",
        /// Output metadata (free-form).
        output_metadata: Value => "output_metadata",
    }
}

wire_object! {
    /// A batch job configuration; for parse jobs, `parameters` holds the parse options under
    /// the API's own names (`page_separator`, `hide_headers`, ...). A classify job carries its
    /// own id, status, times and error instead.
    pub struct JobConfig {
        /// Classify job id.
        id: String => "id",
        /// Classify job status (`PENDING`, `SUCCESS`, `ERROR`, `PARTIAL_SUCCESS`, `CANCELLED`).
        status: String => "status",
        /// Classify job creation time.
        created_at: String => "created_at",
        /// Classify job update time.
        updated_at: String => "updated_at",
        /// Why the classify job failed.
        error_message: String => "error_message",
        /// Correlation id.
        correlation_id: String => "correlation_id",
        /// `parse_raw_file_job` for parse jobs.
        job_name: String => "job_name",
        /// The parse options.
        parameters: Map<String, Value> => "parameters",
        /// Parent job execution id.
        parent_job_execution_id: String => "parent_job_execution_id",
        /// Output partitions.
        partitions: Value => "partitions",
        /// Project id.
        project_id: String => "project_id",
        /// Session id.
        session_id: String => "session_id",
        /// User id.
        user_id: String => "user_id",
        /// Webhook URL.
        webhook_url: String => "webhook_url",
    }
}

impl BatchResults {
    /// The parameters of the first parse job among the results, if any.
    pub fn parse_parameters(&self) -> Option<&Map<String, Value>> {
        self.processing_results.as_deref()?.iter().find_map(|r| {
            let is_parse = r
                .job_type
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case("parse"));
            is_parse
                .then(|| r.job_config.as_ref()?.parameters.as_ref())
                .flatten()
        })
    }
}

/// A JSON value kept exactly as written, key order included (a parsed `serde_json::Value`
/// sorts object keys).
#[derive(Debug, Clone)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// The JSON text as written.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The value, parsed (object keys sorted).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(RawJson)
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}
