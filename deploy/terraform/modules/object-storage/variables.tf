variable "environment" {
  description = "dev, staging or production; selects the chart's values-<environment>.yaml."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "The environment must be dev, staging or production."
  }
}

variable "image_repository" {
  description = "Image repository of cairn (ECR)."
  type        = string
}

variable "image_tag" {
  description = "Image tag of cairn to run."
  type        = string
}

variable "root_user" {
  description = "Name of cairn's root user."
  type        = string
  default     = "cairn-root"
}

variable "storage_class" {
  description = "StorageClass of the drives (EBS gp3 through the CSI driver)."
  type        = string
  default     = "gp3"
}

variable "extra_values" {
  description = "Further chart values (YAML documents) applied after the environment's file."
  type        = list(string)
  default     = []
}

variable "timeout_seconds" {
  description = "How long Helm waits for the release (pods ready, bucket Job done)."
  type        = number
  default     = 900
}
