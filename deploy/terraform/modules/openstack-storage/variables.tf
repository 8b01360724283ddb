variable "name" {
  description = "Name prefix of the volumes."
  type        = string
}

variable "instance_ids" {
  description = "Nodes that get data volumes."
  type        = list(string)
}

variable "drives_per_node" {
  description = "Data volumes per node (cairn drives)."
  type        = number
  default     = 1
}

variable "volume_size_gb" {
  description = "Size of each data volume, GB."
  type        = number
}

variable "volume_type" {
  description = "Cinder volume type."
  type        = string
  default     = ""
}

variable "create_backup_container" {
  description = "Create a Swift container for cairn and database backups."
  type        = bool
  default     = true
}
