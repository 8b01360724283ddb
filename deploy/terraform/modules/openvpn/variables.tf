variable "name" {
  description = "Name of the VPN server and its resources."
  type        = string
}

variable "vpc_id" {
  description = "VPC the server runs in."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC, pushed as a route to the clients."
  type        = string
}

variable "subnet_id" {
  description = "Public subnet of the server."
  type        = string
}

variable "instance_type" {
  description = "Instance type of the VPN server."
  type        = string
  default     = "t3.micro"
}

variable "client_cidr" {
  description = "Address pool handed to VPN clients (outside the VPC CIDR)."
  type        = string
  default     = "172.27.224.0/20"
}

variable "allowed_cidrs" {
  description = "Source CIDRs allowed to connect to the VPN port."
  type        = list(string)
}

variable "port" {
  description = "OpenVPN UDP port."
  type        = number
  default     = 1194
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
