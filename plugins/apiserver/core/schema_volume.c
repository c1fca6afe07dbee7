/* core/v1 Volume and the volume sources skiff models. Other sources are
 * not declared, so strict decoding rejects them by name. */
#include "schema_decl.h"

LOCAL_SCHEMA(key_to_path, "io.k8s.api.core.v1.KeyToPath", "Maps a key to a file path.",
       F("key", STRING, REQ, "The key to project."),
       F("path", STRING, REQ, "Relative path of the file; must not contain '..'."),
       F("mode", INT32, 0, "Permission bits of the file (0-0777)."));

LOCAL_SCHEMA(host_path, "io.k8s.api.core.v1.HostPathVolumeSource",
       "A file or directory of the node, mounted into the pod.",
       F("path", STRING, REQ, "Path on the node."),
       F("type", STRING, 0, "Expected type of the path, e.g. Directory or FileOrCreate."));

LOCAL_SCHEMA(empty_dir, "io.k8s.api.core.v1.EmptyDirVolumeSource",
       "A temporary directory that lives as long as the pod.",
       F("medium", STRING, 0, "\"\" for the node's default medium, or \"Memory\"."),
       F("sizeLimit", QUANTITY, 0, "Maximum size of the directory."));

LOCAL_SCHEMA(secret_volume, "io.k8s.api.core.v1.SecretVolumeSource",
       "The keys of a Secret, as files.",
       F("secretName", STRING, 0, "Name of the Secret in the pod's namespace."),
       F_OLIST("items", key_to_path, 0, "Keys to project; all keys when empty."),
       F("defaultMode", INT32, 0, "Permission bits of the files. Defaults to 0644."),
       F("optional", BOOL, 0, "Whether the Secret may be missing."));

LOCAL_SCHEMA(config_map_volume, "io.k8s.api.core.v1.ConfigMapVolumeSource",
       "The keys of a ConfigMap, as files.",
       F("name", STRING, 0, "Name of the ConfigMap in the pod's namespace."),
       F_OLIST("items", key_to_path, 0, "Keys to project; all keys when empty."),
       F("defaultMode", INT32, 0, "Permission bits of the files. Defaults to 0644."),
       F("optional", BOOL, 0, "Whether the ConfigMap may be missing."));

LOCAL_SCHEMA(pvc_volume, "io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource",
       "A PersistentVolumeClaim in the pod's namespace.",
       F("claimName", STRING, REQ, "Name of the claim."),
       F("readOnly", BOOL, 0, "Mount read-only."));

LOCAL_SCHEMA(nfs_volume, "io.k8s.api.core.v1.NFSVolumeSource", "An NFS export.",
       F("server", STRING, REQ, "Hostname or IP of the NFS server."),
       F("path", STRING, REQ, "Path exported by the server."),
       F("readOnly", BOOL, 0, "Mount read-only."));

SCHEMA(sk_schema_volume, "io.k8s.api.core.v1.Volume",
       "A named volume of a pod that its containers can mount. Set exactly one source.",
       F("name", STRING, REQ, "Name of the volume, a DNS label unique within the pod."),
       F_OBJ("hostPath", host_path, 0, "A path of the node."),
       F_OBJ("emptyDir", empty_dir, 0,
             "A scratch directory sharing the pod's lifetime (the default source)."),
       F_OBJ("secret", secret_volume, 0, "A Secret's keys as files."),
       F_OBJ("configMap", config_map_volume, 0, "A ConfigMap's keys as files."),
       F_OBJ("persistentVolumeClaim", pvc_volume, 0, "A PersistentVolumeClaim."),
       F_OBJ("nfs", nfs_volume, 0, "An NFS mount."),
       F("projected", ANY, 0, "Several sources projected into one directory."),
       F("downwardAPI", ANY, 0, "Pod fields as files."),
       F("csi", ANY, 0, "A volume from a CSI driver."),
       F("ephemeral", ANY, 0, "A volume from a per-pod claim template."),
       F("image", ANY, 0, "An OCI image or artifact as a read-only volume."));
