variable "region" {
  description = "Region of the state buckets."
  type        = string
  default     = "ca-central-1"
}

variable "environments" {
  description = "Environments that get a state bucket and lock table."
  type        = list(string)
  default     = ["dev", "staging", "production"]
}
