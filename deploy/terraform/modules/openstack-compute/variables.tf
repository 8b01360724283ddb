variable "name" {
  description = "Name prefix of the instances."
  type        = string
}

variable "node_count" {
  description = "Number of cluster nodes (each also runs a cairn pod)."
  type        = number
}

variable "flavor_name" {
  description = "Flavor of the nodes."
  type        = string
}

variable "image_name" {
  description = "Glance image of the nodes (Debian 12)."
  type        = string
  default     = "debian-12-generic-amd64"
}

variable "public_key" {
  description = "SSH public key installed on the nodes."
  type        = string
}

variable "network_id" {
  description = "Private network of the nodes."
  type        = string
}

variable "security_group_id" {
  description = "Security group of the nodes."
  type        = string
}

variable "external_network_name" {
  description = "Provider network for the first node's floating IP (API access)."
  type        = string
}
