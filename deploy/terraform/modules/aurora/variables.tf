variable "identifier" {
  description = "Cluster identifier, e.g. microservices-user-dev."
  type        = string
}

variable "database_name" {
  description = "Initial database (userdb, productdb, orderdb)."
  type        = string
}

variable "master_username" {
  description = "Master user; its password is generated and kept in Secrets Manager by RDS."
  type        = string
  default     = "platform_admin"
}

variable "engine_version" {
  description = "Aurora PostgreSQL engine version."
  type        = string
  default     = "16.4"
}

variable "instance_class" {
  description = "Instance class of the cluster's instances."
  type        = string
}

variable "instance_count" {
  description = "Instances in the cluster (1 writer + readers)."
  type        = number
  default     = 1
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the DB subnet group."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups (the EKS nodes) allowed to connect on 5432."
  type        = list(string)
  default     = []
}

variable "allowed_cidr_blocks" {
  description = "CIDRs (VPN clients) allowed to connect on 5432."
  type        = list(string)
  default     = []
}

variable "backup_retention_days" {
  description = "Days of automated backups (7 dev, 30 staging, 90 production)."
  type        = number
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
