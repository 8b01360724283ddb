variable "name" {
  description = "Name prefix of the network resources."
  type        = string
}

variable "cidr" {
  description = "CIDR of the private subnet."
  type        = string
}

variable "external_network_name" {
  description = "Provider network that holds floating IPs and the router gateway."
  type        = string
}

variable "dns_nameservers" {
  description = "Resolvers handed out by DHCP."
  type        = list(string)
  default     = []
}

variable "admin_cidrs" {
  description = "CIDRs allowed to SSH and to the Kubernetes API."
  type        = list(string)
}
