variable "buckets" {
  description = "Buckets to create, by name: state buckets (versioned, never expired) and the CDN origin."
  type = map(object({
    versioning             = optional(bool, true)
    force_destroy          = optional(bool, false)
    noncurrent_expire_days = optional(number, 0)
    purpose                = optional(string, "general")
  }))
}

variable "lock_table_name" {
  description = "DynamoDB table for Terraform state locking; empty = none."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
