// Abuse reports from the meeting: the rolling clip of what was received, and the report dialog.
export { CLIP_MAX_BYTES, ClipRecorder, type ClipRecorderOptions } from './clip-recorder';
export { REPORT_REASONS, ReportDialog } from './report-dialog';
