variable "environment" {
  description = "Environment name: dev, staging or production."
  type        = string
}

variable "region" {
  description = "AWS region of the environment."
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
  description = "Resource quota of the domain's namespace."
  type = object({
    requests_cpu    = string
    requests_memory = string
    limits_cpu      = string
    limits_memory   = string
    pods            = number
  })
}
