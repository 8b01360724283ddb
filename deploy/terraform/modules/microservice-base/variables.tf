variable "domain" {
  description = "Business domain: user, product or order."
  type        = string

  validation {
    condition     = contains(["user", "product", "order"], var.domain)
    error_message = "The domain must be user, product or order."
  }
}

variable "environment" {
  description = "dev, staging or production."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "The environment must be dev, staging or production."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider."
  type        = string
}

variable "oidc_issuer_url" {
  description = "Issuer URL of the EKS cluster's OIDC provider."
  type        = string
}

variable "db_secret_arn" {
  description = "Secrets Manager secret with the domain database's master credentials."
  type        = string
}

variable "db_host" {
  description = "Writer endpoint of the domain database."
  type        = string
}

variable "db_port" {
  description = "Port of the domain database."
  type        = number
  default     = 5432
}

variable "db_name" {
  description = "Name of the domain database."
  type        = string
}

variable "object_storage_endpoint" {
  description = "S3 endpoint of cairn inside the cluster."
  type        = string
}

variable "object_storage_access_key" {
  description = "Access key the domain's services use with cairn (the root user until cairn has per-domain users)."
  type        = string
  sensitive   = true
}

variable "object_storage_secret_key" {
  description = "Secret key matching object_storage_access_key."
  type        = string
  sensitive   = true
}

variable "extra_policy_arns" {
  description = "Further IAM policies attached to the domain's IRSA role."
  type        = list(string)
  default     = []
}

variable "quota" {
  description = "Resource quota of the namespace."
  type = object({
    requests_cpu    = string
    requests_memory = string
    limits_cpu      = string
    limits_memory   = string
    pods            = number
  })
}

variable "tags" {
  description = "Tags added to AWS resources."
  type        = map(string)
  default     = {}
}
