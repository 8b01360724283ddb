terraform {
  required_version = ">= 1.6.0"

  # Bootstrap keeps its own state locally (commit nothing of it): it creates
  # the S3 buckets and DynamoDB tables every other root's backend uses.
  backend "local" {
    path = "terraform.tfstate"
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
