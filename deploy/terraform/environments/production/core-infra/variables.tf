variable "cairn_image_tag" {
  description = "Tag of the cairn image to deploy."
  type        = string
  default     = "0.1.0"
}
