variable "domain" {
  description = "Domain: user, product or order (namespace microservices-<domain>-<environment>, database <domain>db)."
  type        = string

  validation {
    condition     = contains(["user", "product", "order"], var.domain)
    error_message = "domain must be user, product or order."
  }
}

variable "environment" {
  description = "Environment name: dev, staging or production."
  type        = string
}

variable "region" {
  description = "AWS region of the environment (and of its state bucket)."
  type        = string
}

variable "db_instance_class" {
  description = "Instance class of the domain's Aurora instances."
  type        = string
}

variable "db_instance_count" {
  description = "Aurora instances (writer + readers)."
  type        = number
}

variable "backup_retention_days" {
  description = "Days of Aurora automated backups (7 dev, 30 staging, 90 production)."
  type        = number
}

variable "deletion_protection" {
  description = "Protect the database from deletion."
  type        = bool
}

variable "namespace_quota" {
  description = "Resource quota of the domain's namespace; unset fields take the platform's defaults."
  type = object({
    requests_cpu    = optional(string, "160")
    requests_memory = optional(string, "160Gi")
    limits_cpu      = optional(string, "320")
    limits_memory   = optional(string, "320Gi")
    pods            = optional(number, 80)
  })
  default = {}
}

variable "cdn_publish_prefixes" {
  description = "Prefixes of the CDN origin bucket the domain's services may write (empty: no CDN access)."
  type        = list(string)
  default     = []
}
