# Block volumes for cairn's drives on the private-cloud nodes (one or more
# per node) and a Swift container for backups.

locals {
  volumes = flatten([
    for node_index, instance_id in var.instance_ids : [
      for drive in range(var.drives_per_node) : {
        key         = "${node_index}-${drive + 1}"
        instance_id = instance_id
        name        = "${var.name}-node${node_index}-data${drive + 1}"
      }
    ]
  ])
}

resource "openstack_blockstorage_volume_v3" "data" {
  for_each    = { for v in local.volumes : v.key => v }
  name        = each.value.name
  size        = var.volume_size_gb
  volume_type = var.volume_type == "" ? null : var.volume_type
  metadata = {
    purpose = "cairn-drive"
  }
}

resource "openstack_compute_volume_attach_v2" "data" {
  for_each    = { for v in local.volumes : v.key => v }
  instance_id = each.value.instance_id
  volume_id   = openstack_blockstorage_volume_v3.data[each.key].id
}

resource "openstack_objectstorage_container_v1" "backups" {
  count = var.create_backup_container ? 1 : 0
  name  = "${var.name}-backups"
}
