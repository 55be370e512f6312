"""Open Referral HSDS files: the field tables, readers, validation, import and export."""
