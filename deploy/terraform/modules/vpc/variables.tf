variable "name" {
  description = "Name prefix for the VPC and its resources."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC (10.0.0.0/16 dev, 10.10.0.0/16 staging, 10.20.0.0/16 production)."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones to spread subnets across."
  type        = list(string)
}

variable "cluster_name" {
  description = "EKS cluster name, used for the subnet discovery tags."
  type        = string
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper) instead of one per zone."
  type        = bool
  default     = true
}

variable "flow_log_retention_days" {
  description = "CloudWatch retention of the VPC flow logs; 0 disables flow logs."
  type        = number
  default     = 0
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
