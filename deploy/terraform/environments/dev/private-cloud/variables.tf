variable "environment" {
  description = "Environment name."
  type        = string
}

variable "openstack_region" {
  description = "OpenStack region."
  type        = string
}

variable "network_cidr" {
  description = "CIDR of the private network."
  type        = string
}

variable "external_network_name" {
  description = "Provider network for the router and floating IPs."
  type        = string
}

variable "admin_cidrs" {
  description = "CIDRs allowed to SSH and the Kubernetes API."
  type        = list(string)
}

variable "node_count" {
  description = "Kubernetes nodes (cairn runs one pod per node)."
  type        = number
}

variable "node_flavor" {
  description = "Flavor of the nodes."
  type        = string
}

variable "ssh_public_key" {
  description = "Operators' SSH public key."
  type        = string
}

variable "drives_per_node" {
  description = "cairn data volumes per node."
  type        = number
}

variable "drive_size_gb" {
  description = "Size of each cairn data volume."
  type        = number
}
