variable "repositories" {
  description = "Repository names (cairn and the 11 services), created under the prefix."
  type        = list(string)
}

variable "prefix" {
  description = "Path prefix of the repositories, e.g. the environment name."
  type        = string
}

variable "image_tag_mutability" {
  description = "MUTABLE or IMMUTABLE tags."
  type        = string
  default     = "IMMUTABLE"
}

variable "keep_images" {
  description = "Tagged images kept per repository by the lifecycle policy."
  type        = number
  default     = 50
}

variable "pull_principal_arns" {
  description = "Other accounts or roles allowed to pull (e.g. the next environment during promotion)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
