variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
}

variable "cluster_version" {
  description = "Kubernetes version of the control plane."
  type        = string
  default     = "1.30"
}

variable "vpc_id" {
  description = "VPC the cluster runs in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the control plane ENIs and the nodes."
  type        = list(string)
}

variable "endpoint_public_access" {
  description = "Expose the API server endpoint publicly (the platform reaches it through the VPN instead)."
  type        = bool
  default     = false
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs allowed to the public endpoint when it is enabled."
  type        = list(string)
  default     = []
}

variable "api_allowed_cidrs" {
  description = "CIDRs (VPC, VPN clients) allowed to reach the private API endpoint."
  type        = list(string)
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
}

variable "node_min_size" {
  description = "Minimum nodes in the managed node group."
  type        = number
}

variable "node_max_size" {
  description = "Maximum nodes in the managed node group."
  type        = number
}

variable "node_desired_size" {
  description = "Initial node count (the cluster autoscaler moves it afterwards)."
  type        = number
}

variable "node_disk_size" {
  description = "Root volume size of each node, GiB."
  type        = number
  default     = 50
}

variable "log_retention_days" {
  description = "Retention of the control plane logs in CloudWatch."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
