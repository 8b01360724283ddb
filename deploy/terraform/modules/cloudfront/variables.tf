variable "name" {
  description = "Name of the distribution and its origin access control."
  type        = string
}

variable "origin_bucket_id" {
  description = "Name of the S3 origin bucket."
  type        = string
}

variable "origin_bucket_arn" {
  description = "ARN of the S3 origin bucket."
  type        = string
}

variable "origin_bucket_regional_domain_name" {
  description = "Regional domain name of the S3 origin bucket."
  type        = string
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
}

variable "aliases" {
  description = "Alternate domain names; needs acm_certificate_arn (us-east-1)."
  type        = list(string)
  default     = []
}

variable "acm_certificate_arn" {
  description = "ACM certificate (us-east-1) for the aliases; empty = the default CloudFront certificate."
  type        = string
  default     = ""
}

variable "default_ttl" {
  description = "Default cache TTL in seconds."
  type        = number
  default     = 86400
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
