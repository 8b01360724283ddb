variable "environment" {
  description = "Environment name: dev, staging or production."
  type        = string
}

variable "region" {
  description = "AWS region of the environment (used in the cluster token command)."
  type        = string
}

variable "availability_zones" {
  description = "Zones the VPC and the node group span."
  type        = list(string)
}

variable "vpc_cidr" {
  description = "CIDR of the environment's VPC."
  type        = string
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway instead of one per zone."
  type        = bool
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow logs; 0 disables them."
  type        = number
}

variable "cluster_version" {
  description = "Kubernetes version of EKS."
  type        = string
  default     = "1.30"
}

variable "endpoint_public_access" {
  description = "Public Kubernetes API endpoint (dev only; staging and production go through the VPN)."
  type        = bool
}

variable "operator_cidrs" {
  description = "Office / operator egress CIDRs: VPN port, public API endpoint."
  type        = list(string)
}

variable "node_instance_type" {
  description = "Instance type of the EKS nodes."
  type        = string
}

variable "node_min_size" {
  description = "Minimum EKS nodes."
  type        = number
}

variable "node_max_size" {
  description = "Maximum EKS nodes."
  type        = number
}

variable "node_desired_size" {
  description = "Initial EKS nodes."
  type        = number
}

variable "backup_retention_days" {
  description = "Retention of the EBS snapshots of cairn's drives (AWS Backup)."
  type        = number
}

variable "cairn_image_tag" {
  description = "Tag of the cairn image to deploy (pushed to <environment>/cairn in ECR)."
  type        = string
}
